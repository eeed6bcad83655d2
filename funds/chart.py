"""The district's chart of accounts, assembled from what each app declares it needs.

An app that moves money names its accounts on its ``AppConfig`` (``apps.py``)::

    from funds.chart import FundAccount

    class ProgrammesConfig(AppConfig):
        fund_accounts = (FundAccount("3101", "建会专项基金"),)

``funds.services.standard_accounts_ensure`` creates every declared account (idempotent, keyed by
code), and the system check ``funds.E001`` refuses a code declared twice with different names or
types, or a type the ledger does not know. This module imports no model: ``apps.py`` files import it
while the app registry is still loading.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.apps import apps


@dataclass(frozen=True)
class FundAccount:
    code: str
    name: str
    type: str = "fund"  # a value of funds.models.Account.Type; a "fund" account is a 专项基金

    @property
    def is_fund(self) -> bool:
        return self.type == "fund"


def declarations() -> Iterator[tuple[str, FundAccount]]:
    """(app label, account) for every account every installed app declares, in INSTALLED_APPS order."""
    for config in apps.get_app_configs():
        for account in getattr(config, "fund_accounts", ()):
            yield config.label, account


def declared_accounts() -> list[FundAccount]:
    """The chart: each declared code once (the first declaration), by code."""
    chart: dict[str, FundAccount] = {}
    for _label, account in declarations():
        chart.setdefault(account.code, account)
    return sorted(chart.values(), key=lambda a: a.code)
