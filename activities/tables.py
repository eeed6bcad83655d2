"""The activity list's columns: the page and ``?export=xlsx`` alike."""

from __future__ import annotations

import django_tables2 as tables

from core.lists import DateColumn, DateTimeColumn, Table


class ActivityTable(Table):
    organisation = tables.Column(verbose_name="举办工会", accessor="organisation__name")
    title = tables.Column(verbose_name="活动名称")
    kind = tables.Column(verbose_name="类型")
    held_on = DateColumn(verbose_name="举办日期", orderable=True, order_by=("held_on", "id"))
    participants = tables.Column(verbose_name="参加人数", orderable=True, attrs={"td": {"class": "text-end"}})
    reported_at = DateTimeColumn(verbose_name="报送时间", format="Y-m-d", default="未报送")
