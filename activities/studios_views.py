"""Studio pages: the list (with the registration form and the year's counts of the chosen subtree)
and a studio's page with its yearly output and the form recording a year. Rules in
``activities.studios_services``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from activities import studios_services as ss
from activities.craftsmen_views import nominating_unions
from activities.filtersets import StudioFilterSet
from activities.selectors import count_root
from activities.studios import Studio
from activities.tables import StudioTable
from core.forms import StyledFormMixin
from core.lists import ListPage
from core.views import add_refusal_message
from members.models import Honour, Person
from members.services import id_index
from orgs.models import Organisation
from orgs.roles import Perm
from orgs.scope import can_at, get_scoped_or_404, has_perm, scoped
from orgs.web import perm_required

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class StudioForm(StyledFormMixin, forms.Form):
    union = forms.ModelChoiceField(label="所属工会", queryset=Organisation.objects.none())
    kind = forms.ChoiceField(label="类型", choices=Studio.Kind.choices)
    name = forms.CharField(label="工作室名称", max_length=100)
    leader_name = forms.CharField(label="领办人姓名", max_length=40)
    leader_id_number = forms.CharField(label="领办人身份证号", max_length=18)
    level = forms.ChoiceField(label="级别", choices=Honour.Level.choices)
    plaque_on = forms.DateField(label="授牌日期", widget=DATE)
    field = forms.CharField(label="专业领域", max_length=60, required=False)

    def __init__(self, *args: Any, unions: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["union"].queryset = unions


class OutputForm(StyledFormMixin, forms.Form):
    year = forms.IntegerField(label="年度", min_value=1980, max_value=2100)
    innovations = forms.IntegerField(label="创新成果（项）", min_value=0, max_value=ss.MAX_OUTPUT)
    trainees = forms.IntegerField(label="培训带徒（人）", min_value=0, max_value=ss.MAX_OUTPUT)
    patents = forms.IntegerField(label="专利（项）", min_value=0, max_value=ss.MAX_OUTPUT)


class StudioList(ListPage):
    """职工创新工作室 / 劳模工作室 of the user's subtree."""

    title = "创新工作室与劳模工作室"
    noun = "工作室"
    unit = "个"
    table_class = StudioTable
    filterset_class = StudioFilterSet
    perm = Perm.ORG_VIEW
    export_perm = Perm.ORG_VIEW
    ordering = ("-plaque_on", "pk")
    aside_template = "activities/_studios_aside.html"
    side_form_title = "登记工作室"
    side_form_submit = "登记"
    testid = "studio-table"

    def rows(self, request: HttpRequest, perm: str) -> QuerySet[Studio]:
        return scoped(request.user, perm, Studio.objects.select_related("union", "leader"))

    def extra_context(self, request: HttpRequest) -> dict[str, Any]:
        """The counts of the chosen subtree (?subtree=<code>, as the list's filter, else the user's
        widest organisation) for the current year, beside the list."""
        root = count_root(request.user, Perm.ORG_VIEW, request.GET.get("subtree"))
        year = timezone.localdate().year
        counts = ss.studio_counts(request.user, root, year) if root else None
        return {"count_root": root, "count_year": year, "counts": counts}

    def side_form(self, request: HttpRequest) -> StudioForm | None:
        if not has_perm(request.user, Perm.ACTIVITY_MANAGE):
            return None
        return StudioForm(request.POST or None, unions=nominating_unions(request.user))

    def side_form_save(self, request: HttpRequest, form: StudioForm) -> str:
        data = dict(form.cleaned_data)
        name, number = data.pop("leader_name").strip(), data.pop("leader_id_number").strip().upper()
        leader = Person.objects.filter(id_number_index=id_index(number)).first()
        if leader is None or leader.name != name:
            raise ValidationError(
                {"leader_name": f"{name}不是{data['union'].name}（含下级）的在册会员，或姓名与身份证号不符"}
            )
        studio = ss.studio_create(actor=request.user, leader=leader, **data)
        return f"已登记{studio}"


studio_list = StudioList.as_view()


@perm_required(Perm.ORG_VIEW)
def studio_detail(request: HttpRequest, pk: int) -> HttpResponse:
    studio = get_scoped_or_404(request.user, Perm.ORG_VIEW, Studio.objects.select_related("union", "leader"), pk=pk)
    can_manage = can_at(request.user, Perm.ACTIVITY_MANAGE, studio.union)
    if request.method == "POST":
        form = OutputForm(request.POST)
        try:
            if not form.is_valid():
                raise ValidationError(
                    "；".join(f"{form.fields[k].label}：{m}" for k, ms in form.errors.items() for m in ms)
                )
            ss.output_record(actor=request.user, studio=studio, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            add_refusal_message(request, exc)
        else:
            messages.success(request, f"{form.cleaned_data['year']} 年度成果已保存")
        return redirect("activities:studio", pk=studio.pk)
    honours = studio.leader.honours.filter(title__in=ss.LEADER_TITLES).order_by("-awarded_on")
    context = {
        "studio": studio,
        "outputs": list(studio.outputs.all()),
        "leader_honours": list(honours),
        "can_manage": can_manage,
        "form": OutputForm(initial={"year": timezone.localdate().year}),
    }
    return render(request, "activities/studio.html", context)
