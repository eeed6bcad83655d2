"""Filters of the assessment list (page and export)."""

from __future__ import annotations

import django_filters

from assessment.models import OrganisationAssessment
from core.filters import FilterSet, YearFilter


class AssessmentFilterSet(FilterSet):
    q = django_filters.CharFilter(field_name="organisation__name", lookup_expr="icontains", label="工会名称")
    year = YearFilter(field_name="year", label="年度")

    class Meta:
        model = OrganisationAssessment
        fields = ["q", "year"]
