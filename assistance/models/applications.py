"""What relief and scholarship applications share: their states and their step log (their uploaded
documents share ``assistance.models.documents.DocumentBase`` with the hardship file's).

The step log is abstract: each application model has its own concrete step table (so each keeps its
own foreign keys, scope and history), written the same way.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from orgs.models import Organisation


class ApplicationState(models.TextChoices):
    """The states relief and scholarship applications pass through (protected FSM fields)."""

    APPLIED = "applied", "待基层工会核实"
    VERIFIED = "verified", "待帮扶中心审批"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "未通过"


class StepKind(models.TextChoices):
    APPLY = "apply", "提交申请"
    VERIFY = "verify", "基层工会核实"
    APPROVE = "approve", "帮扶中心审批"
    REJECT = "reject", "不予通过"
    RELEASE = "release", "资金到位，转财务支付"


class ApplicationStepBase(models.Model):
    kind = models.CharField("环节", max_length=10, choices=StepKind.choices)
    from_state = models.CharField("原状态", max_length=10, choices=ApplicationState.choices, blank=True)
    to_state = models.CharField("新状态", max_length=10, choices=ApplicationState.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="经办人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    acting_organisation = models.ForeignKey(
        Organisation, verbose_name="经办组织", null=True, on_delete=models.PROTECT, related_name="+"
    )
    opinion = models.TextField("意见", blank=True)
    at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d}"
