"""Autumn scholarships (金秋助学, yearly, fund 3106 金秋助学资金).

For a child (a ``HouseholdMember`` of relation 子女) of a worker whose hardship file is active and
verified on the day of application. The level (学前/义务教育, 高中阶段, 大学专科/本科, 研究生), the
school and the admission evidence (uploaded documents) are entered; the amount comes from the
scholarship programme's level table in force on the day of approval, and some levels are only for
single-parent hardship families (学前/义务教育) or the children of single-parent hardship women
workers (研究生).

One per child per year: ``child_id_index`` (the child's ID blind index, copied from the household
row) and ``year`` are unique among applications not rejected — the same child on two files, or
entered twice, is refused by the database as well as by the service.

Lifecycle (``state``, protected): applied → verified → approved, or rejected; payment is the
programme's yearly cycle over the year's approved applications (one payment per worker a year, the
sum for all their children).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_fsm import FSMField, FSMModelMixin, transition
from simple_history.models import HistoricalRecords

from assistance.models.applications import ApplicationState, ApplicationStepBase
from assistance.models.documents import DocumentBase
from assistance.models.files import HardshipFile, HouseholdMember
from core.money import MoneyField
from members.models import Person
from orgs.models import Organisation
from orgs.scopespec import ScopeSpec

S = ApplicationState


class SchoolLevel(models.TextChoices):
    COMPULSORY = "compulsory", "学前/义务教育"
    HIGH_SCHOOL = "high_school", "高中阶段"
    COLLEGE = "college", "大学专科/本科"
    POSTGRADUATE = "postgraduate", "研究生"


class LevelCondition(models.TextChoices):
    """Who a level of the table is for."""

    ALL = "all", "所有在档困难职工子女"
    SINGLE_PARENT = "single_parent", "仅单亲困难职工家庭"
    SINGLE_PARENT_WOMAN = "single_parent_woman", "仅单亲困难女职工子女"


class ScholarshipApplication(FSMModelMixin, models.Model):
    State = ApplicationState

    number = models.CharField("申请编号", max_length=16, unique=True)
    year = models.PositiveSmallIntegerField("年度", db_index=True)
    hardship_file = models.ForeignKey(
        HardshipFile, verbose_name="困难职工档案", on_delete=models.PROTECT, related_name="scholarship_applications"
    )
    person = models.ForeignKey(
        Person, verbose_name="困难职工", on_delete=models.PROTECT, related_name="scholarship_applications"
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name="所属工会", on_delete=models.PROTECT, related_name="scholarship_applications"
    )
    child = models.ForeignKey(
        HouseholdMember, verbose_name="子女", on_delete=models.PROTECT, related_name="scholarship_applications"
    )
    child_id_index = models.CharField("子女身份证号索引", max_length=64, editable=False)
    child_name = models.CharField("子女姓名", max_length=50)
    level = models.CharField("就读阶段", max_length=16, choices=SchoolLevel.choices)
    school = models.CharField("学校", max_length=120)
    grade = models.CharField("年级或入学年份", max_length=40, blank=True)
    state = FSMField("状态", default=S.APPLIED, choices=S.choices, protected=True, db_index=True)
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
    approved_at = models.DateTimeField("审批时间", null=True, blank=True)
    amount = MoneyField("助学金额", null=True, blank=True)
    amount_explanation = models.TextField("金额说明", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["child_id_index"])

    data_scope = ScopeSpec(paths=("organisation__path",), owner="person__user")

    class Meta:
        verbose_name = "金秋助学申请"
        verbose_name_plural = "金秋助学申请"
        ordering = ["-year", "-applied_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["child_id_index", "year"],
                condition=~Q(state="rejected"),
                name="assistance_one_scholarship_per_child_year",
                violation_error_message="该子女本年度已有金秋助学申请",
            ),
            models.CheckConstraint(condition=Q(year__gte=2000, year__lte=2100), name="assistance_scholarship_year"),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gt=0), name="assistance_scholarship_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.child_name}"

    @transition(field=state, source=S.APPLIED, target=S.VERIFIED)
    def verify(self) -> None: ...

    @transition(field=state, source=S.VERIFIED, target=S.APPROVED)
    def approve(self) -> None: ...

    @transition(field=state, source=[S.APPLIED, S.VERIFIED], target=S.REJECTED)
    def reject(self) -> None: ...


def _scholarship_document_path(instance: ScholarshipDocument, filename: str) -> str:
    return f"assistance/scholarship/{instance.application_id}/{filename}"


class ScholarshipDocument(DocumentBase):
    application = models.ForeignKey(
        ScholarshipApplication, verbose_name="助学申请", on_delete=models.CASCADE, related_name="documents"
    )
    file = models.FileField("文件", upload_to=_scholarship_document_path)

    data_scope = ScopeSpec(paths=("application__organisation__path",), owner="application__person__user")

    class Meta(DocumentBase.Meta):
        verbose_name = "助学申请材料"
        verbose_name_plural = "助学申请材料"


class ScholarshipStep(ApplicationStepBase):
    application = models.ForeignKey(
        ScholarshipApplication, verbose_name="助学申请", on_delete=models.CASCADE, related_name="steps"
    )

    data_scope = ScopeSpec(paths=("application__organisation__path",), owner="application__person__user")

    class Meta(ApplicationStepBase.Meta):
        verbose_name = "助学申请办理记录"
        verbose_name_plural = "助学申请办理记录"
