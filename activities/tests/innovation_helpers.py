"""Set-up shared by the innovation tests: the two reward programmes (member, unit) on fund 3107,
and paying an item's cycle as finance would."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from activities import innovation_services as inn
from activities.innovation import InnovationItem
from activities.innovation_reward import FUND_CODE, PERSON_KEY, UNIT_KEY
from funds import services as funds_services
from funds.models import Cycle, Programme
from funds.testing import fund_programme

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
PRIZES = {"first": "1000.00", "second": "500.00", "third": "200.00"}
CONTENT = "叉车货叉加装限位块，防止托盘滑落，每班减少返工约半小时，已在仓储班组试用两个月。"


def reward_programmes(district, *, funding: Decimal | None = Decimal("10000.00"), effective_from=date(2020, 1, 1)):
    member = fund_programme(
        district=district.root, plugin_key=PERSON_KEY, fund_code=FUND_CODE, code="CXJL", params=PRIZES,
        period_type=Programme.PeriodType.ON_APPLICATION, funding=funding, effective_from=effective_from,
    )  # fmt: skip
    unit = fund_programme(
        district=district.root, plugin_key=UNIT_KEY, fund_code=FUND_CODE, code="CXZZ",
        params={"first": "5000", "second": "3000", "third": "1000"}, period_type=Programme.PeriodType.ON_APPLICATION,
        funding=None, effective_from=effective_from,
    )  # fmt: skip
    return member, unit


def submit(district, *, person=None, union=None, actor="chair_a", kind=InnovationItem.Kind.SUGGESTION, **changes):
    fields = {
        "actor": district.user(actor), "union": union or district.union_a, "person": person, "kind": kind,
        "title": "叉车货叉限位改进", "content": CONTENT, "benefit": "减少返工",
    }  # fmt: skip
    fields.update(changes)
    return inn.item_submit(**fields)


def pay(district, item: InnovationItem) -> Cycle:
    """Finance reviews and signs the item's computed cycle (the programme's one step)."""
    finance = district.user("finance")
    cycle = Cycle.objects.get(pk=item.cycle_id)
    cycle = funds_services.cycle_review(actor=finance, cycle=cycle)
    return funds_services.cycle_approve(actor=finance, cycle=cycle)
