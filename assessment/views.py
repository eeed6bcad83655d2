from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from assessment.filtersets import AssessmentFilterSet
from assessment.models import OrganisationAssessment
from assessment.services import assessment_record
from core.filters import filter_queryset
from core.forms import StyledFormMixin
from core.views import add_validation_errors, paginate, query_without
from orgs.models import Organisation
from orgs.roles import Perm
from orgs.scope import has_perm, scoped
from orgs.web import audited_export, perm_required


class AssessmentForm(StyledFormMixin, forms.Form):
    organisation = forms.ModelChoiceField(label="被考评工会", queryset=Organisation.objects.none())
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    score = forms.DecimalField(label="得分", max_digits=5, decimal_places=2, min_value=0, max_value=100)
    passed = forms.BooleanField(label="考评通过", required=False)


@perm_required(Perm.ORG_VIEW)
def assessment_list(request: HttpRequest) -> HttpResponse:
    qs = scoped(request.user, Perm.ORG_VIEW, OrganisationAssessment.objects.all()).select_related(
        "organisation", "assessed_by"
    )
    qs = filter_queryset(request, AssessmentFilterSet(request.GET or None, queryset=qs), qs)
    qs = qs.order_by("-year", "organisation__path")
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
        form = AssessmentForm(request.POST or None)
        # only unions below the user's own organisations (a union does not assess itself)
        unions = scoped(
            request.user,
            Perm.ORG_CHANGE,
            Organisation.objects.filter(kind__in=Organisation.GRASSROOTS_KINDS, status="active", depth__gt=1),
        ).order_by("path")
        form.fields["organisation"].queryset = unions
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
