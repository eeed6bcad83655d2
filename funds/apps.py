from django.apps import AppConfig
from django.core import checks

from funds.chart import FundAccount


class FundsConfig(AppConfig):
    name = "funds"
    verbose_name = "资金"
    # The accounts the ledger itself needs (funds/chart.py): the bank every receipt and payment goes
    # through, the warmth fund the donations received here go to, and the district's hardship and
    # autumn-scholarship funds, which receive budgets before a programme pays from them.
    fund_accounts = (
        FundAccount("1002", "银行存款", type="asset"),
        # approved but not yet paid by the bank (docs/bank.md): credited at approval, debited when the
        # bank confirms the transfer, reversed when the bank returns it
        FundAccount("2202", "应付受益款", type="liability"),
        FundAccount("3104", "困难职工帮扶资金"),
        FundAccount("3105", "顺义区职工专项温暖基金"),
        FundAccount("3106", "金秋助学资金"),
    )

    def ready(self) -> None:
        from funds.checks import fund_account_declarations
        from orgs.registry import register_close_guard

        register_close_guard(unpaid_entitlements_guard)
        checks.register(fund_account_declarations)


def unpaid_entitlements_guard(organisation) -> str | None:
    """A union awaiting money from a cycle in progress is not closed under it."""
    from funds.models import Cycle, Entitlement

    open_states = [Cycle.State.COMPUTED, Cycle.State.REVIEWED, Cycle.State.APPROVED]
    n = Entitlement.objects.filter(beneficiary_org=organisation, cycle__state__in=open_states).count()
    if n:
        return f"该组织在 {n} 个尚未支付完毕的资金发放周期中有应发款项，请先完成或重算这些周期"
    return None
