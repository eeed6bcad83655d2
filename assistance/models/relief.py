"""Serious-illness relief (大病救助) from the warmth fund (顺义区职工专项温暖基金, account 3105).

Any member may apply (with or without a hardship file: serious illness makes hardship, it need not
follow it); the application is scoped to the union that held the person's membership when it was
made (``organisation``). The medical costs are entered as the hospital's bill states them: the
total and what basic, serious-illness and supplementary insurance reimbursed; what is left is the
out-of-pocket cost (computed, never typed; the parts may not exceed the total — a database check
stands behind the service's refusal).

Lifecycle (``state``, protected; only ``assistance.services.relief`` moves it): applied (待基层工会
核实) → verified (待帮扶中心审批) → approved (已批准), either of the first two may end rejected (未通过).
The amount is fixed at approval from the relief programme's parameters in force that day
(``assistance.plugins.relief.relief_amount``). An approved application is paid through the
programme engine, in a cycle of its own keyed by the application's number; it is released to
payment (``cycle`` set) only while the fund's balance, less what is already released and unpaid,
covers it — oldest approval first. Until then it waits for funds (待资金).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django_fsm import FSMField, FSMModelMixin, transition
from simple_history.models import HistoricalRecords

from assistance.models.applications import ApplicationState, ApplicationStepBase
from assistance.models.documents import DocumentBase
from assistance.models.files import HardshipFile
from core.crypto import EncryptedTextField
from core.money import MoneyField
from members.models import Person
from orgs.models import Organisation
from orgs.scopespec import ScopeSpec

S = ApplicationState


class ReliefApplication(FSMModelMixin, models.Model):
    State = ApplicationState

    number = models.CharField("申请编号", max_length=16, unique=True)
    person = models.ForeignKey(
        Person, verbose_name="申请职工", on_delete=models.PROTECT, related_name="relief_applications"
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name="所属工会", on_delete=models.PROTECT, related_name="relief_applications"
    )
    hardship_file = models.ForeignKey(
        HardshipFile,
        verbose_name="困难职工档案",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="relief_applications",
        help_text="申请时本人在档的困难职工档案（如有）",
    )
    state = FSMField("状态", default=S.APPLIED, choices=S.choices, protected=True, db_index=True)
    # A medical fact: encrypted at rest; the application is shown whole only to assistance roles in
    # scope (and the worker), each officer's view audited.
    illness = EncryptedTextField("所患疾病")
    hospital = models.CharField("就诊医院", max_length=120)
    treatment_start = models.DateField("治疗开始日期")
    treatment_end = models.DateField("治疗结束日期", null=True, blank=True)
    total_cost = MoneyField("医疗费用总额")
    basic_insurance = MoneyField("基本医疗保险报销", default=Decimal("0.00"))
    serious_illness_insurance = MoneyField("大病保险报销", default=Decimal("0.00"))
    supplementary_insurance = MoneyField("补充医疗保险报销", default=Decimal("0.00"))
    # total − the three reimbursements; written by the service, checked by the database.
    out_of_pocket = MoneyField("个人自付")
    situation = models.TextField("困难情况说明", blank=True)
    applied_on = models.DateField("申请日期")
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="录入人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    applied_in_portal = models.BooleanField("职工本人申请", default=False)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="核实人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审批人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField("审批时间", null=True, blank=True, db_index=True)
    amount = MoneyField("救助金额", null=True, blank=True)
    amount_explanation = models.TextField("金额计算说明", blank=True)
    # The payment cycle (funds.Cycle, period key = number) once the fund covers the amount.
    cycle = models.OneToOneField(
        "funds.Cycle",
        verbose_name="支付周期",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="relief_application",
    )
    released_at = models.DateTimeField("转支付时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["illness"])

    data_scope = ScopeSpec(paths=("organisation__path",), owner="person__user")

    class Meta:
        verbose_name = "大病救助申请"
        verbose_name_plural = "大病救助申请"
        ordering = ["-applied_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(total_cost__gt=0), name="assistance_relief_total_positive"),
            models.CheckConstraint(
                condition=Q(basic_insurance__gte=0, serious_illness_insurance__gte=0, supplementary_insurance__gte=0),
                name="assistance_relief_parts_nonneg",
            ),
            models.CheckConstraint(
                condition=Q(
                    out_of_pocket=F("total_cost")
                    - F("basic_insurance")
                    - F("serious_illness_insurance")
                    - F("supplementary_insurance")
                )
                & Q(out_of_pocket__gte=0),
                name="assistance_relief_out_of_pocket_adds_up",
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0), name="assistance_relief_amount_nonneg"
            ),
            models.CheckConstraint(
                condition=Q(cycle__isnull=True) | Q(state="approved"), name="assistance_relief_paid_only_approved"
            ),
        ]
        indexes = [models.Index(fields=["state", "approved_at"], name="assistance_relief_queue")]

    def __str__(self) -> str:
        return f"{self.number} {self.person}"

    # Transitions: called only from assistance.services.relief, which checks scope and four eyes.
    @transition(field=state, source=S.APPLIED, target=S.VERIFIED)
    def verify(self) -> None: ...

    @transition(field=state, source=S.VERIFIED, target=S.APPROVED)
    def approve(self) -> None: ...

    @transition(field=state, source=[S.APPLIED, S.VERIFIED], target=S.REJECTED)
    def reject(self) -> None: ...

    @property
    def waiting_for_funds(self) -> bool:
        return self.state == S.APPROVED and self.cycle_id is None and bool(self.amount)

    @property
    def payment_status(self) -> str:
        """What the worker and the officers read beside the state: where the money is."""
        if self.state != S.APPROVED:
            return ""
        if not self.amount:
            return "救助金额为零，不予支付"
        if self.cycle_id is None:
            return "待资金"
        if self.cycle.state != "paid":
            return "待财务审批支付"
        # the cycle approved: the money is owed; what the bank did says whether it was paid
        # (docs/bank.md). A list annotates ``bank_status``/``bank_reason``; a single application
        # reads its payment, the newest (a re-issue) first.
        from funds.bank_selectors import bank_status_label, cycle_bank_status

        return bank_status_label(*cycle_bank_status(self))


def _relief_document_path(instance: ReliefDocument, filename: str) -> str:
    return f"assistance/relief/{instance.application_id}/{filename}"


class ReliefDocument(DocumentBase):
    application = models.ForeignKey(
        ReliefApplication, verbose_name="救助申请", on_delete=models.CASCADE, related_name="documents"
    )
    file = models.FileField("文件", upload_to=_relief_document_path)

    data_scope = ScopeSpec(paths=("application__organisation__path",), owner="application__person__user")

    class Meta(DocumentBase.Meta):
        verbose_name = "救助申请材料"
        verbose_name_plural = "救助申请材料"


class ReliefStep(ApplicationStepBase):
    application = models.ForeignKey(
        ReliefApplication, verbose_name="救助申请", on_delete=models.CASCADE, related_name="steps"
    )

    data_scope = ScopeSpec(paths=("application__organisation__path",), owner="application__person__user")

    class Meta(ApplicationStepBase.Meta):
        verbose_name = "救助申请办理记录"
        verbose_name_plural = "救助申请办理记录"
