"""Yearly assessment (考评) of organisations (the minimal model programmes read; grows later)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from orgs.models import Organisation
from orgs.scopespec import ScopeSpec


class OrganisationAssessment(models.Model):
    organisation = models.ForeignKey(
        Organisation, verbose_name="被考评工会", on_delete=models.PROTECT, related_name="assessments"
    )
    year = models.PositiveSmallIntegerField("年度")
    score = models.DecimalField("得分", max_digits=5, decimal_places=2)
    passed = models.BooleanField("考评通过", default=False)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="评定人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    assessed_at = models.DateTimeField("评定时间", auto_now_add=True)

    data_scope = ScopeSpec(paths=("organisation__path",))

    class Meta:
        verbose_name = "工会年度考评"
        verbose_name_plural = "工会年度考评"
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "year"],
                name="assessment_one_per_org_year",
                violation_error_message="该工会本年度已有考评结果",
            ),
            models.CheckConstraint(condition=Q(score__gte=0) & Q(score__lte=100), name="assessment_score_0_100"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.year} 年考评 {self.score}"
