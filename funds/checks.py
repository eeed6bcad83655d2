"""System checks of the funds app (registered in ``FundsConfig.ready``)."""

from __future__ import annotations

from typing import Any

from django.core import checks

from funds.chart import FundAccount, declarations
from funds.models import Account


def fund_account_declarations(app_configs: Any = None, **kwargs: Any) -> list[checks.Error]:
    """Every app's declared accounts fit together: one name and type per code, a type the ledger knows."""
    errors: list[checks.Error] = []
    first: dict[str, tuple[str, FundAccount]] = {}
    for label, account in declarations():
        if account.type not in Account.Type.values:
            errors.append(
                checks.Error(
                    f"{label} declares account {account.code} with unknown type {account.type!r}",
                    hint=f"use one of {', '.join(Account.Type.values)}",
                    id="funds.E001",
                )
            )
        owner, seen = first.setdefault(account.code, (label, account))
        if seen != account:
            errors.append(
                checks.Error(
                    f"account {account.code} is declared as {seen.name}/{seen.type} by {owner} "
                    f"and as {account.name}/{account.type} by {label}",
                    hint="one code, one account: make the declarations the same or use another code",
                    id="funds.E001",
                )
            )
    return errors
