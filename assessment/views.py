from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from assessment.filtersets import AssessmentFilterSet
from assessment.models import OrganisationAssessment
from assessment.services import assessment_record
from assessment.tables import AssessmentTable
from core.forms import StyledFormMixin
from core.lists import ListPage
from orgs.models import Organisation
from orgs.roles import Perm
from orgs.scope import has_perm, scoped


class AssessmentForm(StyledFormMixin, forms.Form):
    organisation = forms.ModelChoiceField(label="被考评工会", queryset=Organisation.objects.none())
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    score = forms.DecimalField(label="得分", max_digits=5, decimal_places=2, min_value=0, max_value=100)
    passed = forms.BooleanField(label="考评通过", required=False)


class AssessmentList(ListPage):
    """工会年度考评: the results in the user's scope, and the form a higher union records one with."""

    title = "工会年度考评"
    noun = "考评结果"
    table_class = AssessmentTable
    filterset_class = AssessmentFilterSet
    perm = Perm.ORG_VIEW
    export_perm = Perm.ORG_VIEW
    ordering = ("-year", "organisation__path")
    side_form_title = "录入考评结果（上级录入）"
    testid = "assessment-table"

    def rows(self, request: HttpRequest, perm: str) -> QuerySet[OrganisationAssessment]:
        return scoped(request.user, perm, OrganisationAssessment.objects.all()).select_related(
            "organisation", "assessed_by"
        )

    def side_form(self, request: HttpRequest) -> AssessmentForm | None:
        if not has_perm(request.user, Perm.ORG_CHANGE):
            return None
        form = AssessmentForm(request.POST or None)
        # only unions below the user's own organisations (a union does not assess itself)
        form.fields["organisation"].queryset = scoped(
            request.user,
            Perm.ORG_CHANGE,
            Organisation.objects.filter(kind__in=Organisation.GRASSROOTS_KINDS, status="active", depth__gt=1),
        ).order_by("path")
        return form

    def side_form_save(self, request: HttpRequest, form: AssessmentForm) -> str:
        try:
            assessment_record(actor=request.user, **form.cleaned_data)
        except PermissionDenied as exc:
            raise ValidationError({"organisation": str(exc)}) from exc
        return "考评结果已录入"


assessment_list = AssessmentList.as_view()
