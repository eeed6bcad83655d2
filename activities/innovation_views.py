"""普惠制服务项目 pages: the list (with the office's submission form and the year's counts of the chosen
subtree, each linking to its rows), an item's page with the grading form for the union above, and the
worker's portal page (submit an item, see their own). Rules in ``activities.innovation_services``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from activities import innovation_services as inn
from activities.craftsmen_views import nominating_unions
from activities.filtersets import InnovationFilterSet
from activities.innovation import InnovationItem
from activities.selectors import count_root
from activities.tables import InnovationTable
from core.forms import StyledFormMixin
from core.lists import ListPage, list_url
from core.money import format_yuan
from core.views import add_refusal_message
from funds.bank_selectors import with_cycle_bank_status
from orgs.models import Organisation
from orgs.roles import Perm
from orgs.scope import get_scoped_or_404, has_perm
from orgs.web import perm_required

FOR_UNIT = "unit"


class ItemFields(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label="类别", choices=InnovationItem.Kind.choices)
    title = forms.CharField(label="项目名称", max_length=120)
    content = forms.CharField(
        label="主要内容", widget=forms.Textarea(attrs={"rows": 5}), help_text=f"不少于 {inn.MIN_CONTENT} 字"
    )
    benefit = forms.CharField(label="预期效益", max_length=200, required=False)


class OfficeItemForm(ItemFields):
    union = forms.ModelChoiceField(label="申报单位", queryset=Organisation.objects.none())
    applicant = forms.ChoiceField(label="申报主体", choices=(("member", "职工个人"), (FOR_UNIT, "单位")))
    person_name = forms.CharField(label="职工姓名", max_length=40, required=False, help_text="职工个人申报时填写")
    person_id_number = forms.CharField(label="职工身份证号", max_length=18, required=False)
    field_order = ["union", "applicant", "person_name", "person_id_number", "kind", "title", "content", "benefit"]

    def __init__(self, *args: Any, unions: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["union"].queryset = unions


class GradeForm(StyledFormMixin, forms.Form):
    grade = forms.ChoiceField(label="评审等级", choices=InnovationItem.Grade.choices)
    opinion = forms.CharField(label="评审意见", max_length=300, widget=forms.Textarea(attrs={"rows": 3}))


def _form_refusal(form: forms.Form) -> ValidationError:
    return ValidationError("；".join(f"{form.fields[k].label}：{m}" for k, ms in form.errors.items() for m in ms))


def _count_links(root: Organisation, year: int, counts: inn.InnovationCounts) -> list[tuple[str, str, str]]:
    """(label, figure, the list URL of the rows it counts)."""

    def url(**extra: str) -> str:
        return list_url("activities:innovations", subtree=root.code, year=year, **extra)

    return [
        ("申报项目", f"{counts.submitted} 项", url()),
        ("获奖采纳", f"{counts.adopted} 项", url(adopted="true")),
        ("奖励已审批入账", f"{counts.rewarded} 项", url(rewarded="true")),
        ("发放金额", f"{format_yuan(counts.rewarded_yuan)} 元", url(rewarded="true")),
    ]


class InnovationList(ListPage):
    """普惠制服务项目: 合理化建议, 技术革新 and "五小" items of the user's subtree."""

    title = "职工创新项目（普惠制）"
    noun = "项目"
    unit = "项"
    table_class = InnovationTable
    filterset_class = InnovationFilterSet
    perm = Perm.MEMBER_VIEW
    export_perm = Perm.MEMBER_EXPORT
    ordering = ("-submitted_at", "-pk")
    aside_template = "activities/_innovation_aside.html"
    side_form_title = "申报创新项目"
    side_form_submit = "申报"
    testid = "innovation-table"

    def rows(self, request: HttpRequest, perm: str) -> QuerySet[InnovationItem]:
        return inn.visible_items(request.user, perm)

    def extra_context(self, request: HttpRequest) -> dict[str, Any]:
        """The counts of the chosen subtree (?subtree=<code>, else the user's widest organisation) and
        year (?year=, else this year), each linking to the rows it counts."""
        root = count_root(request.user, Perm.MEMBER_VIEW, request.GET.get("subtree"))
        raw_year = request.GET.get("year", "")
        this_year = timezone.localdate().year
        year = int(raw_year) if raw_year.isdigit() and 2000 <= int(raw_year) <= this_year else this_year
        if root is None:
            return {}
        counts = inn.innovation_counts(request.user, root, year)
        return {"count_root": root, "count_year": year, "count_links": _count_links(root, year, counts)}

    def side_form(self, request: HttpRequest) -> OfficeItemForm | None:
        if not has_perm(request.user, Perm.ACTIVITY_MANAGE):
            return None
        return OfficeItemForm(request.POST or None, unions=nominating_unions(request.user))

    def side_form_save(self, request: HttpRequest, form: OfficeItemForm) -> str:
        data = dict(form.cleaned_data)
        union, applicant = data.pop("union"), data.pop("applicant")
        name, number = data.pop("person_name"), data.pop("person_id_number")
        person = None if applicant == FOR_UNIT else inn.member_named(union=union, name=name, id_number=number)
        item = inn.item_submit(actor=request.user, union=union, person=person, **data)
        return f"已申报创新项目 {item.number}"


innovation_list = InnovationList.as_view()


@perm_required(Perm.MEMBER_VIEW)
def innovation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_scoped_or_404(request.user, Perm.MEMBER_VIEW, inn.visible_items(request.user), pk=pk)
    can_grade = item.state == InnovationItem.State.SUBMITTED and inn.may_grade(request.user, item)
    if request.method == "POST":
        form = GradeForm(request.POST)
        try:
            if not form.is_valid():
                raise _form_refusal(form)
            item = inn.item_grade(actor=request.user, item=item, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            add_refusal_message(request, exc)
        else:
            messages.success(request, f"{item.number} 已评为{item.get_grade_display()}")
        return redirect("activities:innovation", pk=item.pk)
    context = {
        "item": item,
        "reviewer_union": inn.reviewer_union(item),
        "can_grade": can_grade,
        "form": GradeForm(),
        "may_see_cycle": item.cycle_id and has_perm(request.user, Perm.FUND_VIEW),
    }
    return render(request, "activities/innovation.html", context)


@perm_required(Perm.ACTIVITY_REGISTER, own_records=True)
def portal_innovation(request: HttpRequest) -> HttpResponse:
    """我的创新项目: the worker submits an item (on a phone) and sees their own, with grade and reward."""
    form = ItemFields(request.POST or None)
    if request.method == "POST":
        try:
            if not form.is_valid():
                raise _form_refusal(form)
            item = inn.item_submit_own(actor=request.user, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            add_refusal_message(request, exc)
        else:
            messages.success(request, f"已提交创新项目 {item.number}，等待上级工会评审")
            return redirect("portal:innovation")
    person = getattr(request.user, "person", None)
    mine = (
        list(
            with_cycle_bank_status(InnovationItem.objects.filter(person=person).select_related("cycle")).order_by(
                "-pk"
            )[:50]
        )
        if person
        else []
    )
    return render(request, "portal/innovation.html", {"form": form, "mine": mine, "person": person})
