from __future__ import annotations

from django import forms
from django.db.models import QuerySet
from django.http import HttpRequest

from activities.filtersets import ActivityFilterSet
from activities.models import Activity
from activities.services import activity_report
from activities.tables import ActivityTable
from core.forms import StyledFormMixin
from core.lists import ListPage
from orgs.models import Organisation
from orgs.roles import Perm
from orgs.scope import has_perm, scoped


class ActivityForm(StyledFormMixin, forms.Form):
    organisation = forms.ModelChoiceField(label="举办工会", queryset=Organisation.objects.none())
    title = forms.CharField(label="活动名称", max_length=120)
    kind = forms.ChoiceField(label="活动类型", choices=Activity.Kind.choices)
    held_on = forms.DateField(label="举办日期", widget=forms.DateInput(attrs={"type": "date"}))
    participants = forms.IntegerField(label="参加人数", min_value=1, max_value=1_000_000)


class ActivityList(ListPage):
    """工会活动报送: the activities of the user's scope, and the form reporting one."""

    title = "工会活动报送"
    noun = "活动"
    unit = "次"
    table_class = ActivityTable
    filterset_class = ActivityFilterSet
    perm = Perm.ORG_VIEW
    export_perm = Perm.ORG_VIEW
    ordering = ("-held_on", "-id")
    side_form_title = "报送活动"
    side_form_submit = "报送"
    testid = "activity-table"

    def rows(self, request: HttpRequest, perm: str) -> QuerySet[Activity]:
        return scoped(request.user, perm, Activity.objects.all()).select_related("organisation", "reported_by")

    def side_form(self, request: HttpRequest) -> ActivityForm | None:
        if not has_perm(request.user, Perm.ORG_CHANGE):
            return None
        form = ActivityForm(request.POST or None)
        form.fields["organisation"].queryset = scoped(
            request.user,
            Perm.ORG_CHANGE,
            Organisation.objects.filter(kind__in=Organisation.GRASSROOTS_KINDS, status="active"),
        ).order_by("path")
        return form

    def side_form_save(self, request: HttpRequest, form: ActivityForm) -> str:
        activity_report(actor=request.user, **form.cleaned_data)
        return "活动已报送"


activity_list = ActivityList.as_view()
