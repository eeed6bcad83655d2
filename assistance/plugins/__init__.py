"""The assistance programmes as plug-ins of the funds engine (``funds/engine.py``), registered in
``AssistanceConfig.ready()``. Every yuan they decide is paid by a ``funds`` cycle and the ledger."""
