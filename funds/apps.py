from django.apps import AppConfig


class FundsConfig(AppConfig):
    name = "funds"
    verbose_name = "资金"

    def ready(self) -> None:
        from orgs.registry import register_close_guard

        register_close_guard(unpaid_entitlements_guard)


def unpaid_entitlements_guard(organisation) -> str | None:
    """A union awaiting money from a cycle in progress is not closed under it."""
    from funds.models import Cycle, Entitlement

    open_states = [Cycle.State.COMPUTED, Cycle.State.REVIEWED, Cycle.State.APPROVED]
    n = Entitlement.objects.filter(beneficiary_org=organisation, cycle__state__in=open_states).count()
    if n:
        return f"该组织在 {n} 个尚未支付完毕的资金发放周期中有应发款项，请先完成或重算这些周期"
    return None
