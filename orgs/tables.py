"""The organisation list's columns: the page shows the visible ones, ``?export=xlsx`` writes all."""

from __future__ import annotations

from typing import Any

import django_tables2 as tables

from core.lists import CountColumn, DateColumn, Table, YesNoColumn, list_url
from orgs.registry import SubtreeCounter


class OrganisationTable(Table):
    name = tables.Column(
        verbose_name="组织名称", linkify=("orgs:detail", {"code": tables.A("code")}), orderable=True, order_by="name"
    )
    code = tables.Column(verbose_name="组织编码", orderable=True, order_by="path")
    kind = tables.Column(verbose_name="组织类型")
    status = tables.Column(verbose_name="状态")
    founded_on = DateColumn(verbose_name="成立日期", orderable=True)
    employer_name = tables.Column(verbose_name="单位名称", visible=False)
    credit_code = tables.Column(verbose_name="统一社会信用代码", visible=False)
    economic_type = tables.Column(verbose_name="经济类型")
    chair_name = tables.Column(verbose_name="工会主席")
    chair_full_time = YesNoColumn(verbose_name="主席专职", visible=False)
    vice_chairs = tables.Column(verbose_name="副主席", visible=False)


def counter_columns(counters: list[SubtreeCounter]) -> list[tuple[str, Any]]:
    """One column per subtree counter the user may see (``orgs.selectors.with_counts``), each figure
    a link to the rows it counts when a list shows exactly them."""

    def column(counter: SubtreeCounter) -> Any:
        if not counter.list_url:
            return tables.Column(verbose_name=counter.label, attrs={"td": {"class": "text-end"}})
        return CountColumn(
            verbose_name=counter.label,
            url=lambda record, c=counter: list_url(c.list_url, subtree=record.code, **dict(c.list_query)),
        )

    return [(counter.key, column(counter)) for counter in counters]
