"""Default categories (诉求分类), seeded by migration; administrators may change deadlines later."""

from __future__ import annotations

# code, name, default handler kind, handling deadline (working days)
CATEGORIES: list[tuple[str, str, str, int]] = [
    ("wage_arrears", "欠薪", "sub_union", 5),
    ("labour_contract", "劳动合同", "union_dept", 10),
    ("social_insurance", "社会保险", "government", 15),
    ("injury_safety", "工伤与安全", "union_dept", 10),
    ("hardship", "生活困难", "union_dept", 10),
    ("legal_aid", "法律援助", "government", 15),
    ("skills", "技能培训", "sub_union", 15),
    ("women", "女职工权益", "womens_federation", 10),
    ("youth", "青年职工", "youth_league", 10),
    ("other", "其他", "sub_union", 10),
]

CONTACT_DEADLINE_DAYS = 1  # 沟通: the liaison contacts the worker within one working day
AUTOCLOSE_DAYS = 7  # calendar days after feedback without a rating
BASIC_SATISFIED_WEIGHT = "0.8"
SMALL_SAMPLE = 30
# Composite score weights (响应率, 解决率, 满意率); see docs/appeals.md for the source.
COMPOSITE_WEIGHTS = ("0.1", "0.45", "0.45")


def seed_categories(model) -> None:
    for sort, (code, name, kind, days) in enumerate(CATEGORIES, start=1):
        model._default_manager.update_or_create(
            code=code, defaults={"name": name, "default_handler_kind": kind, "handling_days": days, "sort": sort}
        )
