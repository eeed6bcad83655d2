"""Activity pages: the scoped list (and its export) with the report form."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest

from activities import selectors
from activities.filtersets import ActivityFilterSet
from activities.forms import ActivityForm
from activities.models import Activity
from activities.services import activity_report
from activities.tables import ActivityTable
from core.lists import ListPage
from orgs.roles import Perm
from orgs.scope import has_perm


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
        return selectors.visible_activities(request.user)

    def side_form(self, request: HttpRequest) -> ActivityForm | None:
        if not has_perm(request.user, Perm.ORG_CHANGE):
            return None
        return ActivityForm(request.POST or None, unions=selectors.reporting_unions(request.user))

    def side_form_save(self, request: HttpRequest, form: ActivityForm) -> str:
        activity_report(actor=request.user, **form.cleaned_data)
        return "活动已报送"


activity_list = ActivityList.as_view()
