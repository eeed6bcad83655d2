"""Activity pages: the scoped list (and its export) with the report form."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from activities import selectors
from activities.filtersets import ActivityFilterSet
from activities.forms import ActivityForm
from activities.models import Activity
from activities.services import activity_report
from core.filters import filter_queryset
from core.views import add_validation_errors, paginate, query_without
from orgs.roles import Perm
from orgs.scope import has_perm
from orgs.web import audited_export, perm_required


@perm_required(Perm.ORG_VIEW)
def activity_list(request: HttpRequest) -> HttpResponse:
    base = selectors.visible_activities(request.user)
    qs = filter_queryset(request, ActivityFilterSet(request.GET or None, queryset=base), base)
    if request.GET.get("export") == "xlsx":
        rows = (
            [a.organisation.name, a.title, a.get_kind_display(), a.held_on, a.participants, a.reported_at]
            for a in qs.iterator(chunk_size=2000)
        )
        return audited_export(
            request,
            what="活动",
            filename="活动.xlsx",
            headers=["举办工会", "活动名称", "类型", "举办日期", "参加人数", "报送时间"],
            rows=rows,
            count=qs.count(),
        )
    can_report = has_perm(request.user, Perm.ORG_CHANGE)
    form = None
    if can_report:
        form = ActivityForm(request.POST or None, unions=selectors.reporting_unions(request.user))
        if request.method == "POST" and form.is_valid():
            try:
                activity_report(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_validation_errors(form, exc)
            else:
                messages.success(request, "活动已报送")
                return redirect("activities:list")
    return render(
        request,
        "activities/list.html",
        {
            "page": paginate(request, qs),
            "query": query_without(request, "page"),
            "export_query": query_without(request, "page", "export"),
            "kinds": Activity.Kind.choices,
            "form": form,
        },
    )
