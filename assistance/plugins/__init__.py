"""The assistance programmes as plug-ins of the funds engine (registered in AssistanceConfig.ready())."""
