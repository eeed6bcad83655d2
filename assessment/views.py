"""Assessment pages: the scoped list (and its export) with the entry form."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest

from assessment import selectors
from assessment.filtersets import AssessmentFilterSet
from assessment.forms import AssessmentForm
from assessment.models import OrganisationAssessment
from assessment.services import assessment_record
from assessment.tables import AssessmentTable
from core.lists import ListPage
from orgs.roles import Perm
from orgs.scope import has_perm


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
        return selectors.visible_assessments(request.user)

    def side_form(self, request: HttpRequest) -> AssessmentForm | None:
        if not has_perm(request.user, Perm.ORG_CHANGE):
            return None
        return AssessmentForm(request.POST or None, unions=selectors.assessable_unions(request.user))

    def side_form_save(self, request: HttpRequest, form: AssessmentForm) -> str:
        assessment_record(actor=request.user, **form.cleaned_data)
        return "考评结果已录入"


assessment_list = AssessmentList.as_view()
