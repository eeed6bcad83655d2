"""Hardship files (困难职工档案, 建档立卡) and the dated local standards that classify them.

A file belongs to one person (``members.Person``) and is looked after by the grassroots union that
held the person's membership when the file was opened (``organisation``): scoping follows that union.
A person has at most one file in progress or in force (``assistance_one_open_file``): application,
verification, review and the active file all count, so a second application waits for the first.

The lifecycle is a state machine (``state``, protected: only ``assistance.services`` moves it):
applied (申请) → verified (基层工会核实) → reviewed (镇街/功能区/系统工会审核) → active (帮扶中心审批，在档)
→ exited (解困脱困); any of the first three may end rejected (未通过). Every step is a ``FileStep``
row with its actor and opinion; every change of the file's fields is kept by django-simple-history.

Whether the file is verified for a date is read from ``Verification`` rows: the approval is the
first, each yearly re-verification (年度复核) another, each valid from ``done_on`` through
``valid_until``. A date covered by none is lapsed (复核逾期): the file stays active (its people still
need help and the officers must act) but is not paid for it.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_fsm import FSMField, FSMModelMixin, transition
from simple_history.models import HistoricalRecords

from assistance.models.documents import DocumentBase
from core.crypto import BlindIndexField, EncryptedTextField
from core.money import MoneyField
from members.models import Person
from orgs.models import Organisation
from orgs.roles import Perm
from orgs.scope import can_at
from orgs.scopespec import ScopeSpec


class Cause(models.TextChoices):
    """致困原因 (main and secondary)."""

    LOW_INCOME = "low_income", "低保/低收入"
    ILLNESS = "illness", "因病"
    DISABILITY = "disability", "因残"
    DISASTER = "disaster", "因灾"
    SCHOOLING = "schooling", "子女就学"
    ACCIDENT = "accident", "意外"
    OTHER = "other", "其他"


class LocalStandard(models.Model):
    """The local minimum-living standard (低保标准) and the thresholds that classify files, dated:
    the row in force on a date is the latest whose ``effective_from`` is on or before it."""

    effective_from = models.DateField("生效日期", unique=True)
    dibao_monthly = MoneyField("低保标准（元/人·月）")
    relative_multiple = models.DecimalField(
        "相对困难倍数",
        max_digits=4,
        decimal_places=2,
        help_text="家庭人均收入（扣除刚性支出后）低于低保标准的此倍数，为相对困难",
    )
    note = models.CharField("依据", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="录入人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "低保标准与认定标准"
        verbose_name_plural = "低保标准与认定标准"
        ordering = ["-effective_from"]
        constraints = [
            models.CheckConstraint(condition=Q(dibao_monthly__gt=0), name="assistance_dibao_positive"),
            models.CheckConstraint(condition=Q(relative_multiple__gt=1), name="assistance_multiple_above_one"),
        ]

    def __str__(self) -> str:
        return f"低保标准 {self.dibao_monthly} 元（{self.effective_from} 起）"

    @property
    def relative_line(self) -> Decimal:
        """相对困难标准: the multiple of the 低保 standard, to the fen."""
        return (self.dibao_monthly * self.relative_multiple).quantize(Decimal("0.01"))


class HardshipFile(FSMModelMixin, models.Model):
    class State(models.TextChoices):
        APPLIED = "applied", "待基层工会核实"
        VERIFIED = "verified", "待镇街工会审核"
        REVIEWED = "reviewed", "待帮扶中心审批"
        ACTIVE = "active", "在档"
        REJECTED = "rejected", "未通过"
        EXITED = "exited", "已脱困"

    OPEN_STATES = (State.APPLIED, State.VERIFIED, State.REVIEWED, State.ACTIVE)

    class Category(models.TextChoices):
        DEEP = "deep", "深度困难"
        RELATIVE = "relative", "相对困难"
        ACCIDENT = "accident", "意外致困"

    class Health(models.TextChoices):
        HEALTHY = "healthy", "健康"
        WEAK = "weak", "体弱多病"
        CHRONIC = "chronic", "长期慢性病"
        SERIOUS = "serious", "患大病"
        DISABLED = "disabled", "残疾"

    class Disability(models.TextChoices):
        NONE = "", "无"
        GRADE1 = "1", "一级"
        GRADE2 = "2", "二级"
        GRADE3 = "3", "三级"
        GRADE4 = "4", "四级"

    class Housing(models.TextChoices):
        OWNED = "owned", "自有住房"
        RENTED = "rented", "租房"
        LODGING = "lodging", "借住"
        NONE = "none", "无固定住所"

    class ModelWorker(models.TextChoices):
        NONE = "", "否"
        NATIONAL = "national", "全国劳模"
        CITY = "city", "省部级劳模"
        DISTRICT = "district", "区级劳模"

    class ExitReason(models.TextChoices):
        INCOME = "income", "收入提高，已解困"
        EMPLOYED = "employed", "实现就业"
        RECOVERED = "recovered", "病愈或情况好转"
        MOVED = "moved", "迁出本区或转出本会"
        DECEASED = "deceased", "本人去世"
        REVERIFY_FAILED = "reverify_failed", "年度复核不再符合条件"
        OTHER = "other", "其他"

    file_no = models.CharField("档案编号", max_length=20, unique=True)
    person = models.ForeignKey(Person, verbose_name="困难职工", on_delete=models.PROTECT, related_name="hardship_files")
    organisation = models.ForeignKey(
        Organisation, verbose_name="所属工会", on_delete=models.PROTECT, related_name="hardship_files"
    )
    state = FSMField("状态", default=State.APPLIED, choices=State.choices, protected=True, db_index=True)
    category = models.CharField("困难类别", max_length=12, choices=Category.choices)
    main_cause = models.CharField("主要致困原因", max_length=16, choices=Cause.choices)
    secondary_causes = models.JSONField("次要致困原因", default=list, blank=True)
    health = models.CharField("健康状况", max_length=12, choices=Health.choices, default=Health.HEALTHY)
    disability = models.CharField("残疾等级", max_length=2, choices=Disability.choices, blank=True, default="")
    housing = models.CharField("住房情况", max_length=12, choices=Housing.choices)
    single_parent = models.BooleanField("单亲家庭", default=False)
    zero_employment = models.BooleanField("零就业家庭", default=False)
    model_worker = models.CharField("劳模类型", max_length=12, choices=ModelWorker.choices, blank=True, default="")
    monthly_rigid_expenses = MoneyField(
        "家庭月刚性支出", default=Decimal("0.00"), help_text="医疗、教育等必需支出（元/月）"
    )
    # Recomputed by assistance.services from the household whenever it changes.
    household_size = models.PositiveSmallIntegerField("家庭人口", default=1)
    income_per_head = MoneyField("家庭月人均收入（扣除刚性支出）", default=Decimal("0.00"))
    situation = models.TextField("困难情况说明", blank=True)
    # The account relief is paid into: financial data, encrypted and shown masked like ID numbers.
    bank_name = models.CharField("开户行", max_length=80, blank=True)
    bank_account_holder = models.CharField("户名", max_length=50, blank=True)
    bank_account = EncryptedTextField("银行账号", blank=True, default="")
    applied_on = models.DateField("申请日期")
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申请人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    applied_in_portal = models.BooleanField("职工本人申请", default=False)
    approved_on = models.DateField("审批建档日期", null=True, blank=True, db_index=True)
    exited_on = models.DateField("脱困日期", null=True, blank=True)
    exit_reason = models.CharField("脱困原因", max_length=20, choices=ExitReason.choices, blank=True)
    exit_note = models.CharField("脱困说明", max_length=300, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    # The account number's ciphertext changes with every save; history keeps that a change happened.
    history = HistoricalRecords(excluded_fields=["bank_account"])

    data_scope = ScopeSpec(paths=("organisation__path",), owner="person__user")

    class Meta:
        verbose_name = "困难职工档案"
        verbose_name_plural = "困难职工档案"
        ordering = ["-applied_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(state__in=["applied", "verified", "reviewed", "active"]),
                name="assistance_one_open_file",
                violation_error_message="此人已有办理中或在档的困难职工档案",
            ),
            models.CheckConstraint(
                condition=Q(state__in=["active", "exited"]) | Q(approved_on__isnull=True),
                name="assistance_approved_on_only_when_approved",
            ),
            models.CheckConstraint(
                condition=Q(state="exited", exited_on__isnull=False) | (~Q(state="exited") & Q(exited_on__isnull=True)),
                name="assistance_exited_on_matches_state",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "state"], name="assistance_file_org_state")]

    def __str__(self) -> str:
        return f"{self.file_no} {self.person}"

    # --- the organisation each step is taken at (its 经办组织) -------------------------------------

    def review_organisation(self) -> Organisation:
        """The town/street/zone/sector union above the file's union (镇街/功能区/系统工会); a union
        directly under the district is reviewed at the district."""
        return self._ancestors()[0]

    def approve_organisation(self) -> Organisation:
        """The district federation, whose 帮扶中心 approves every file."""
        return self._ancestors()[1]

    def _ancestors(self) -> tuple[Organisation, Organisation]:
        """(review organisation, district), read once per file object in one query."""
        cached = getattr(self, "_step_orgs", None)
        if cached is None:
            path, step = self.organisation.path, Organisation.steplen
            prefixes = [path[:i] for i in range(step, len(path), step)]
            above = list(Organisation.objects.filter(path__in=prefixes).order_by("-depth"))
            root = above[-1] if above else self.organisation
            review = next((o for o in above if o.kind in Organisation.SUB_FEDERATION_KINDS), root)
            cached = self._step_orgs = (review, root)
        return cached

    def step_organisation(self, kind: str) -> Organisation:
        if kind == FileStep.Kind.REVIEW:
            return self.review_organisation()
        if kind == FileStep.Kind.APPROVE:
            return self.approve_organisation()
        return self.organisation  # apply, verify, re-verify, exit, amend: the file's own union

    # --- the state machine: which step leaves which state, and who may take it -----------------
    # The services check the level and the four-eyes rule; the transitions say which state a step
    # leaves from and to, and the pages offer only the steps ``can_proceed`` allows.

    @transition(field=state, source=State.APPLIED, target=State.VERIFIED, permission=lambda f, u: f._may(u, "verify"))
    def t_verify(self) -> None: ...

    @transition(field=state, source=State.VERIFIED, target=State.REVIEWED, permission=lambda f, u: f._may(u, "review"))
    def t_review(self) -> None: ...

    @transition(field=state, source=State.REVIEWED, target=State.ACTIVE, permission=lambda f, u: f._may(u, "approve"))
    def t_approve(self) -> None: ...

    @transition(
        field=state,
        source=[State.APPLIED, State.VERIFIED, State.REVIEWED],
        target=State.REJECTED,
        permission=lambda f, u: f._may(u, f._pending_kind()),
    )
    def t_reject(self) -> None: ...

    @transition(field=state, source=State.ACTIVE, target=State.ACTIVE, permission=lambda f, u: f._may(u, "reverify"))
    def t_reverify(self) -> None: ...

    @transition(field=state, source=State.ACTIVE, target=State.EXITED, permission=lambda f, u: f._may(u, "exit"))
    def t_exit(self) -> None: ...

    @transition(
        field=state,
        source=[State.APPLIED, State.VERIFIED, State.REVIEWED, State.ACTIVE],
        target=None,
        permission=lambda f, u: f._may(u, "amend") or (f.is_own(u) and f.state == HardshipFile.State.APPLIED),
    )
    def t_amend(self) -> None: ...

    def _pending_kind(self) -> str:
        """The step the file waits for (the one a rejection replaces)."""
        return {
            self.State.APPLIED: FileStep.Kind.VERIFY,
            self.State.VERIFIED: FileStep.Kind.REVIEW,
            self.State.REVIEWED: FileStep.Kind.APPROVE,
        }.get(self.state, FileStep.Kind.VERIFY)

    def _may(self, user: object, kind: str) -> bool:
        return user is not None and can_at(user, Perm.ASSISTANCE_PROCESS, self.step_organisation(kind))

    def is_own(self, user: object) -> bool:
        return user is not None and getattr(user, "pk", None) is not None and self.person.user_id == user.pk


class HouseholdMember(models.Model):
    """One person of the file's household (the worker included, as 本人)."""

    class Relation(models.TextChoices):
        SELF = "self", "本人"
        SPOUSE = "spouse", "配偶"
        CHILD = "child", "子女"
        PARENT = "parent", "父母"
        OTHER = "other", "其他"

    class Occupation(models.TextChoices):
        EMPLOYED = "employed", "在职"
        FARMING = "farming", "务农"
        FLEXIBLE = "flexible", "灵活就业"
        UNEMPLOYED = "unemployed", "失业"
        RETIRED = "retired", "退休"
        STUDENT = "student", "在校学生"
        PRESCHOOL = "preschool", "学龄前"
        UNABLE = "unable", "无劳动能力"

    class Insurance(models.TextChoices):
        EMPLOYEE = "employee", "职工基本医疗保险"
        RESIDENT = "resident", "城乡居民基本医疗保险"
        OTHER = "other", "其他"
        NONE = "none", "无"

    file = models.ForeignKey(HardshipFile, verbose_name="档案", on_delete=models.CASCADE, related_name="household")
    relation = models.CharField("与本人关系", max_length=8, choices=Relation.choices)
    name = models.CharField("姓名", max_length=50)
    id_number = EncryptedTextField("身份证号")
    # Keyed fingerprint of the ID number: finds the same child across files and years (one
    # scholarship per child per year) without decrypting.
    id_number_index = BlindIndexField("身份证号索引", source="id_number", purpose="id_number", db_index=True)
    birth_date = models.DateField("出生日期")
    health = models.CharField("健康状况", max_length=12, choices=HardshipFile.Health.choices)
    occupation = models.CharField("就业或就学", max_length=12, choices=Occupation.choices)
    workplace_or_school = models.CharField("工作单位或学校", max_length=120, blank=True)
    monthly_income = MoneyField("月收入", default=Decimal("0.00"))
    medical_insurance = models.CharField("医疗保险", max_length=10, choices=Insurance.choices)

    history = HistoricalRecords(excluded_fields=["id_number", "id_number_index"])

    data_scope = ScopeSpec(paths=("file__organisation__path",), owner="file__person__user")

    class Meta:
        verbose_name = "家庭成员"
        verbose_name_plural = "家庭成员"
        ordering = ["file", "id"]
        constraints = [
            models.UniqueConstraint(fields=["file", "id_number_index"], name="assistance_household_once_per_file"),
            models.CheckConstraint(condition=Q(monthly_income__gte=0), name="assistance_income_nonneg"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_relation_display()}）"


class FileStep(models.Model):
    """One step of a file's life, with who took it and their opinion: the file's 审核记录."""

    class Kind(models.TextChoices):
        APPLY = "apply", "提交申请"
        VERIFY = "verify", "基层工会核实"
        REVIEW = "review", "镇街工会审核"
        APPROVE = "approve", "帮扶中心审批"
        REJECT = "reject", "不予通过"
        REVERIFY = "reverify", "年度复核"
        EXIT = "exit", "解困脱困"
        AMEND = "amend", "修改档案"

    file = models.ForeignKey(HardshipFile, verbose_name="档案", on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField("环节", max_length=10, choices=Kind.choices)
    from_state = models.CharField("原状态", max_length=10, choices=HardshipFile.State.choices, blank=True)
    to_state = models.CharField("新状态", max_length=10, choices=HardshipFile.State.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="经办人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    acting_organisation = models.ForeignKey(
        Organisation, verbose_name="经办组织", null=True, on_delete=models.PROTECT, related_name="+"
    )
    opinion = models.TextField("意见", blank=True)
    at = models.DateTimeField("时间", auto_now_add=True)

    data_scope = ScopeSpec(paths=("file__organisation__path",), owner="file__person__user")

    class Meta:
        verbose_name = "档案办理记录"
        verbose_name_plural = "档案办理记录"
        ordering = ["file", "at", "id"]

    def __str__(self) -> str:
        return f"{self.file} · {self.get_kind_display()}"


class Verification(models.Model):
    """A span in which the file is verified: the approval (初次认定) or a yearly re-verification."""

    class Kind(models.TextChoices):
        INITIAL = "initial", "初次认定"
        YEARLY = "yearly", "年度复核"

    file = models.ForeignKey(HardshipFile, verbose_name="档案", on_delete=models.CASCADE, related_name="verifications")
    kind = models.CharField("类型", max_length=8, choices=Kind.choices)
    done_on = models.DateField("认定/复核日期")
    valid_until = models.DateField("有效期至")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="经办人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    opinion = models.TextField("意见", blank=True)
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    data_scope = ScopeSpec(paths=("file__organisation__path",), owner="file__person__user")

    class Meta:
        verbose_name = "认定与复核"
        verbose_name_plural = "认定与复核"
        ordering = ["file", "done_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(valid_until__gte=models.F("done_on")), name="assistance_span_ordered"),
        ]
        indexes = [models.Index(fields=["file", "valid_until"], name="assistance_verif_file_until")]

    def __str__(self) -> str:
        return f"{self.file} {self.get_kind_display()} {self.done_on}–{self.valid_until}"


def _file_document_path(instance: HardshipDocument, filename: str) -> str:
    return f"assistance/files/{instance.hardship_file_id}/{filename}"


class HardshipDocument(DocumentBase):
    """A document of the file (收入证明、病历、低保证、残疾证…): uploaded by the worker while the
    application awaits verification or by the file's union while the file is open; downloaded only
    by who may see the whole file, each download audited."""

    class Kind(models.TextChoices):
        INCOME = "income", "收入证明"
        MEDICAL = "medical", "病历或诊断证明"
        DIBAO = "dibao", "低保证或低收入证明"
        DISABILITY = "disability", "残疾证"
        OTHER = "other", "其他材料"

    owner_field = "hardship_file"

    hardship_file = models.ForeignKey(
        HardshipFile, verbose_name="档案", on_delete=models.CASCADE, related_name="documents"
    )
    kind = models.CharField("材料类别", max_length=12, choices=Kind.choices, default=Kind.OTHER)
    file = models.FileField("文件", upload_to=_file_document_path)

    data_scope = ScopeSpec(paths=("hardship_file__organisation__path",), owner="hardship_file__person__user")

    class Meta(DocumentBase.Meta):
        verbose_name = "档案材料"
        verbose_name_plural = "档案材料"
