"""Pages of the living allowance and holiday relief: the rows behind the figures, a cycle's bank
payment list, and the figures page (帮扶统计). Thin: the rows come from the selectors, scoped."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.db.models import OuterRef, QuerySet, Subquery, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from assistance.figures import figure_groups
from assistance.filtersets_allowance import AllowanceMonthFilterSet, HolidayPaymentFilterSet
from assistance.models import AllowanceMonth
from assistance.selectors import allowance as selectors
from assistance.tables_allowance import AllowanceMonthTable, BankListTable, HolidayPaymentTable
from core.crypto import EncryptedTextField
from core.forms import StyledFormMixin
from core.lists import ListPage
from core.views import paginate, query_without
from funds.models import Cycle
from funds.selectors import visible_cycles
from orgs.forms import OrganisationChoiceField, PickerFormMixin
from orgs.pickers import PickerScope
from orgs.roles import Perm
from orgs.scope import can_at, get_scoped_or_404
from orgs.web import audited_export, perm_required

FIGURES_PERM = selectors.FIGURES_PERM


class AllowanceMonthList(ListPage):
    title = "生活补助发放月份"
    noun = "发放月份"
    table_class = AllowanceMonthTable
    filterset_class = AllowanceMonthFilterSet
    perm = export_perm = FIGURES_PERM
    ordering = ("-month", "file__file_no")
    aside_template = "orgs/_list_tree.html"
    testid = "allowance-months"

    def rows(self, request: HttpRequest, perm: str) -> QuerySet[AllowanceMonth]:
        return selectors.allowance_month_rows(selectors.visible_allowance_months(request.user, perm))


class HolidayPaymentList(ListPage):
    title = "送温暖慰问发放记录"
    noun = "慰问记录"
    table_class = HolidayPaymentTable
    filterset_class = HolidayPaymentFilterSet
    perm = export_perm = FIGURES_PERM
    ordering = ("-paid_at", "-id")
    aside_template = "orgs/_list_tree.html"
    testid = "holiday-payments"

    def rows(self, request: HttpRequest, perm: str) -> QuerySet:
        return selectors.holiday_payment_rows(selectors.visible_holiday_payments(request.user, perm))


allowance_month_list = AllowanceMonthList.as_view()
holiday_payment_list = HolidayPaymentList.as_view()


def _file_field(name: str, output_field: Any = None) -> Subquery:
    months = AllowanceMonth.objects.filter(payment=OuterRef("pk")).order_by("month").values(f"file__{name}")[:1]
    return Subquery(months, output_field=output_field) if output_field is not None else Subquery(months)


class BankList(ListPage):
    """One allowance cycle's bank payment list (银行代发清单): a row per payment, with the account of
    the file it paid and the months it paid, named. Built per request for that cycle."""

    noun = "代发记录"
    table_class = BankListTable
    perm = export_perm = Perm.FUND_VIEW
    ordering = ("file_no", "id")
    template_name = "assistance/allowance/bank_list.html"
    testid = "bank-list"

    def __init__(self, cycle: Cycle) -> None:
        self.cycle = cycle
        self.title = f"{cycle.programme.name} {cycle.period_key} 银行代发清单"

    def rows(self, request: HttpRequest, perm: str) -> QuerySet:
        return (
            selectors.allowance_payments(self.cycle.pk)
            .select_related("entitlement")
            .annotate(
                file_no=_file_field("file_no"),
                bank_name=_file_field("bank_name"),
                bank_holder=_file_field("bank_account_holder"),
                bank_account=_file_field("bank_account", EncryptedTextField()),
            )
        )

    def table_kwargs(self, request: HttpRequest) -> dict[str, Any]:
        org = self.cycle.programme.organisation
        return {"full_accounts": can_at(request.user, Perm.ASSISTANCE_VIEW_PII, org)}

    def extra_context(self, request: HttpRequest) -> dict[str, Any]:
        return {"cycle": self.cycle, **self.table_kwargs(request)}


@perm_required(Perm.FUND_VIEW)
def bank_list(request: HttpRequest, pk: int) -> HttpResponse:
    cycles = visible_cycles(request.user).select_related("programme__organisation")
    cycle = get_scoped_or_404(request.user, Perm.FUND_VIEW, cycles, pk=pk)
    if cycle.programme.plugin_key != "assistance_allowance":
        raise Http404("该周期不是生活补助周期")
    return BankList(cycle).get(request)


# --- the figures page -------------------------------------------------------------------------


class FiguresForm(PickerFormMixin, StyledFormMixin, forms.Form):
    organisation = OrganisationChoiceField(
        label="组织（含全部下级）",
        scope=PickerScope(perm=FIGURES_PERM, active_only=False),
        to_field_name="code",
        required=False,
    )
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100, required=False)
    start = forms.DateField(label="起始日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end, year = data.get("start"), data.get("end"), data.get("year")
        if start or end:
            if not (start and end):
                raise forms.ValidationError("按日期范围统计时，请同时填写起始日期和截止日期")
            if end < start:
                raise forms.ValidationError("截止日期不能早于起始日期")
            if start.year < 2000 or end.year > 2100:
                raise forms.ValidationError("日期应在 2000 年至 2100 年之间")
        elif year:
            data["start"], data["end"] = date(year, 1, 1), date(year, 12, 31)
        elif not self.errors:
            today = timezone.localdate()
            data["start"], data["end"] = date(today.year, 1, 1), today
        return data


def _figures(request: HttpRequest) -> tuple[FiguresForm, list[dict[str, Any]], Any]:
    params = request.GET if request.GET else None
    form = FiguresForm(params, user=request.user)
    if params is None:
        form = FiguresForm({"year": str(timezone.localdate().year)}, user=request.user)
    if not form.is_valid():
        return form, [], None
    data = form.cleaned_data
    organisation = data.get("organisation")
    groups = [
        {"group": g, "figures": g.compute(request.user, organisation, data["start"], data["end"])}
        for g in figure_groups()
    ]
    return form, groups, data


@perm_required(FIGURES_PERM)
def figures(request: HttpRequest) -> HttpResponse:
    form, groups, data = _figures(request)
    if request.GET.get("export"):
        if data is None:
            raise Http404("统计条件有误")
        where = data["organisation"].name if data.get("organisation") else "全部可见组织"
        rows = [
            [g["group"].label, f.label, f.value, f.unit, where, data["start"], data["end"]]
            for g in groups
            for f in g["figures"]
        ]
        return audited_export(
            request,
            what="帮扶统计",
            filename=f"帮扶统计_{data['start']:%Y%m%d}-{data['end']:%Y%m%d}.xlsx",
            headers=["项目", "指标", "数值", "单位", "组织", "起始日期", "截止日期"],
            rows=rows,
            count=len(rows),
        )
    return render(request, "assistance/allowance/figures.html", {"form": form, "groups": groups, "data": data})


# --- the worker's own allowance, in the portal -------------------------------------------------


@perm_required(Perm.ASSISTANCE_VIEW, own_records=True)
def my_allowance(request: HttpRequest) -> HttpResponse:
    months = selectors.my_allowance_months(request.user)
    page = paginate(request, months, default_size=20)
    total = months.aggregate(s=Sum("amount"))["s"]
    return render(
        request,
        "assistance/allowance/my_allowance.html",
        {"page": page, "total": total, "query": query_without(request, "page")},
    )
