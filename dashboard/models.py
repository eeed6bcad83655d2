"""What the dashboard keeps: the officers' edited work-report templates (the figures are never stored:
a draft keeps the wording and its placeholders, the numbers are computed when it is shown)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from orgs.models import Organisation
from orgs.scopespec import ScopeSpec


class ReportDraft(models.Model):
    organisation = models.ForeignKey(
        Organisation, verbose_name="组织", on_delete=models.PROTECT, related_name="report_drafts"
    )
    start = models.DateField("起始日期")
    end = models.DateField("截止日期")
    template = models.TextField("简报模板")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="修改人", on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    data_scope = ScopeSpec(paths=("organisation__path",))

    class Meta:
        verbose_name = "工作简报草稿"
        verbose_name_plural = "工作简报草稿"
        constraints = [
            models.UniqueConstraint(fields=["organisation", "start", "end"], name="dashboard_draft_once"),
            models.CheckConstraint(condition=Q(start__lte=F("end")), name="dashboard_draft_dates"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.start}–{self.end}"
