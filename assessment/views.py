"""Assessment pages: the scoped list (and its export) with the entry form."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from assessment import selectors
from assessment.filtersets import AssessmentFilterSet
from assessment.forms import AssessmentForm
from assessment.services import assessment_record
from core.filters import filter_queryset
from core.views import add_validation_errors, paginate, query_without
from orgs.roles import Perm
from orgs.scope import has_perm
from orgs.web import audited_export, perm_required


@perm_required(Perm.ORG_VIEW)
def assessment_list(request: HttpRequest) -> HttpResponse:
    base = selectors.visible_assessments(request.user)
    qs = filter_queryset(request, AssessmentFilterSet(request.GET or None, queryset=base), base)
    if request.GET.get("export") == "xlsx":
        rows = (
            [
                a.organisation.name,
                a.year,
                a.score,
                "通过" if a.passed else "未通过",
                a.assessed_by and str(a.assessed_by),
            ]
            for a in qs.iterator(chunk_size=2000)
        )
        return audited_export(
            request,
            what="工会年度考评",
            filename="工会年度考评.xlsx",
            headers=["工会", "年度", "得分", "结果", "评定人"],
            rows=rows,
            count=qs.count(),
        )
    form = None
    if has_perm(request.user, Perm.ORG_CHANGE):
        form = AssessmentForm(request.POST or None, unions=selectors.assessable_unions(request.user))
        if request.method == "POST" and form.is_valid():
            try:
                assessment_record(actor=request.user, **form.cleaned_data)
            except (PermissionDenied, ValidationError) as exc:
                add_validation_errors(form, exc)
            else:
                messages.success(request, "考评结果已录入")
                return redirect("assessment:list")
    return render(
        request,
        "assessment/list.html",
        {
            "page": paginate(request, qs),
            "query": query_without(request, "page"),
            "export_query": query_without(request, "page", "export"),
            "form": form,
        },
    )
