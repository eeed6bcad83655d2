from __future__ import annotations

import django_tables2 as tables

from orgs.models import Organisation


class OrganisationTable(tables.Table):
    name = tables.Column(verbose_name="组织名称", linkify=("orgs:detail", {"code": tables.A("code")}))
    code = tables.Column(verbose_name="编码")
    kind = tables.Column(verbose_name="类型")
    economic_type = tables.Column(verbose_name="经济类型")
    founded_on = tables.DateColumn(verbose_name="成立日期", format="Y-m-d")
    chair_name = tables.Column(verbose_name="主席")
    status = tables.Column(verbose_name="状态")

    class Meta:
        model = Organisation
        fields = ("name", "code", "kind", "economic_type", "founded_on", "chair_name", "status")
        attrs = {"class": "table table-vcenter card-table table-striped"}
        order_by = ("path",)
        empty_text = "没有符合条件的组织"
