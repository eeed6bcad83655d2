"""The money: a double-entry ledger, donations and budgets, and the generic programme engine.

Ledger rows are append-only: a journal entry and its lines can be created (only through
``funds.services.entry_post``) and never changed or deleted; a correction is a reversing entry
linked to the original (at most one, a database constraint). Nothing that moved money is ever
deleted by a cascade (every foreign key to it is PROTECT).

The programme engine (Programme → ParameterVersion → Cycle → Entitlement → Payment) knows no
particular programme: plug-ins registered in ``funds.engine`` supply eligibility and formula.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django_fsm import FSMField, FSMModelMixin, transition

from core.crypto import BlindIndexField, EncryptedTextField
from core.money import MoneyField
from members.models import Person
from orgs.models import Organisation
from orgs.roles import Role
from orgs.scopespec import ScopeSpec

ZERO = Decimal("0.00")


class ImmutableQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise ValidationError("账务记录不可修改：请登记冲销分录")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ValidationError("账务记录不可删除：请登记冲销分录")


class ImmutableModel(models.Model):
    """Rows that may be inserted but never updated or deleted."""

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValidationError("账务记录不可修改：请登记冲销分录")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValidationError("账务记录不可删除：请登记冲销分录")


class Period(models.Model):
    """An accounting month. A closed period refuses new entries dated inside it."""

    class Status(models.TextChoices):
        OPEN = "open", "未结账"
        CLOSED = "closed", "已结账"

    code = models.CharField("会计期间", max_length=7, unique=True)  # "2026-11"
    year = models.PositiveSmallIntegerField("年")
    month = models.PositiveSmallIntegerField("月")
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.OPEN)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="结账人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField("结账时间", null=True, blank=True)

    class Meta:
        verbose_name = "会计期间"
        verbose_name_plural = "会计期间"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(month__gte=1) & Q(month__lte=12), name="funds_period_month"),
        ]

    def __str__(self) -> str:
        return self.code


class Account(models.Model):
    class Type(models.TextChoices):
        ASSET = "asset", "资产"
        LIABILITY = "liability", "负债"
        FUND = "fund", "基金（净资产）"
        INCOME = "income", "收入"
        EXPENSE = "expense", "支出"

    DEBIT_NORMAL = frozenset({Type.ASSET, Type.EXPENSE})

    code = models.CharField("科目编码", max_length=40, unique=True)
    name = models.CharField("科目名称", max_length=120)
    type = models.CharField("类别", max_length=12, choices=Type.choices)
    # The organisation the account belongs to (the district for the federation's own accounts, a
    # union for its receivable/payable): the account is scoped by it.
    organisation = models.ForeignKey(
        Organisation, verbose_name="所属组织", on_delete=models.PROTECT, related_name="fund_accounts"
    )
    owner_person = models.ForeignKey(
        Person, verbose_name="往来个人", null=True, blank=True, on_delete=models.PROTECT, related_name="fund_accounts"
    )
    is_fund = models.BooleanField("专项基金", default=False)
    description = models.CharField("说明", max_length=300, blank=True)
    active = models.BooleanField("启用", default=True)

    data_scope = ScopeSpec(paths=("organisation__path",))

    class Meta:
        verbose_name = "会计科目"
        verbose_name_plural = "会计科目"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def debit_normal(self) -> bool:
        return self.type in self.DEBIT_NORMAL


class JournalEntry(ImmutableModel):
    date = models.DateField("记账日期", db_index=True)
    period = models.ForeignKey(Period, verbose_name="会计期间", on_delete=models.PROTECT, related_name="entries")
    description = models.CharField("摘要", max_length=300)
    rule = models.CharField("依据规则", max_length=200, blank=True)
    source = models.CharField("来源", max_length=80, blank=True, db_index=True)  # e.g. "donation:12"
    organisation = models.ForeignKey(
        Organisation, verbose_name="相关组织", on_delete=models.PROTECT, related_name="journal_entries"
    )
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="制单人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审批人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reversal_of = models.OneToOneField(
        "self",
        verbose_name="冲销的原分录",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )
    amount = MoneyField("金额")  # the entry's total debits (= total credits)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    data_scope = ScopeSpec(paths=("organisation__path",))

    class Meta:
        verbose_name = "记账凭证"
        verbose_name_plural = "记账凭证"
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="funds_entry_amount_positive"),
            models.CheckConstraint(
                condition=Q(reversal_of__isnull=True) | ~Q(reversal_of=models.F("id")), name="funds_entry_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"凭证 {self.number}"

    @property
    def number(self) -> str:
        return f"JZ{self.pk:08d}"


class JournalLine(ImmutableModel):
    entry = models.ForeignKey(JournalEntry, verbose_name="凭证", on_delete=models.PROTECT, related_name="lines")
    account = models.ForeignKey(Account, verbose_name="科目", on_delete=models.PROTECT, related_name="lines")
    debit = MoneyField("借方", default=ZERO)
    credit = MoneyField("贷方", default=ZERO)
    memo = models.CharField("说明", max_length=200, blank=True)

    data_scope = ScopeSpec(paths=("account__organisation__path",))

    class Meta:
        verbose_name = "分录行"
        verbose_name_plural = "分录行"
        constraints = [
            models.CheckConstraint(
                condition=(Q(debit__gt=0) & Q(credit=0)) | (Q(debit=0) & Q(credit__gt=0)),
                name="funds_line_one_side_positive",
            ),
        ]
        indexes = [models.Index(fields=["account", "entry"], name="funds_line_account")]

    def __str__(self) -> str:
        return f"{self.account_id}: 借 {self.debit} 贷 {self.credit}"


class ReceiptCounter(models.Model):
    """The last receipt number issued in a year (locked row: numbers are sequential without gaps)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Donation(models.Model):
    class DonorKind(models.TextChoices):
        UNIT = "unit", "单位"
        PERSON = "person", "个人"

    donor_kind = models.CharField("捐赠方类型", max_length=8, choices=DonorKind.choices)
    donor_name = models.CharField("捐赠方", max_length=120)
    anonymous = models.BooleanField("匿名", default=False)
    amount = MoneyField("金额")
    received_on = models.DateField("到账日期")
    fund = models.ForeignKey(Account, verbose_name="接收基金", on_delete=models.PROTECT, related_name="donations")
    receipt_no = models.CharField("收据编号", max_length=20, unique=True)
    note = models.CharField("备注", max_length=200, blank=True)
    entry = models.OneToOneField(JournalEntry, verbose_name="凭证", on_delete=models.PROTECT, related_name="donation")
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    registered_at = models.DateTimeField("登记时间", auto_now_add=True)

    data_scope = ScopeSpec(paths=("fund__organisation__path",))

    class Meta:
        verbose_name = "捐赠"
        verbose_name_plural = "捐赠"
        ordering = ["-received_on", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="funds_donation_positive")]

    def __str__(self) -> str:
        return f"{self.receipt_no} {self.shown_donor}"

    @property
    def shown_donor(self) -> str:
        return "匿名捐赠" if self.anonymous else self.donor_name


class BudgetAllocation(models.Model):
    fund = models.ForeignKey(Account, verbose_name="拨入基金", on_delete=models.PROTECT, related_name="allocations")
    amount = MoneyField("金额")
    date = models.DateField("拨款日期")
    note = models.CharField("说明", max_length=200)
    entry = models.OneToOneField(JournalEntry, verbose_name="凭证", on_delete=models.PROTECT, related_name="allocation")
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, on_delete=models.PROTECT, related_name="+"
    )

    data_scope = ScopeSpec(paths=("fund__organisation__path",))

    class Meta:
        verbose_name = "预算拨款"
        verbose_name_plural = "预算拨款"
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="funds_allocation_positive")]

    # --- the programme engine -------------------------------------------------------------------

    def __str__(self) -> str:
        return f"{self.fund} +{self.amount}（{self.date}）"


DEFAULT_STEP_ROLE: str = Role.FINANCE.value
DEFAULT_STEP = {"name": "审批", "role": DEFAULT_STEP_ROLE}


class Programme(models.Model):
    class Beneficiary(models.TextChoices):
        ORGANISATION = "org", "组织"
        PERSON = "person", "个人"

    class PeriodType(models.TextChoices):
        ONCE = "once", "一次性"
        MONTHLY = "monthly", "按月"
        QUARTERLY = "quarterly", "按季度"
        YEARLY = "yearly", "按年"
        ON_APPLICATION = "application", "按申请"

    code = models.CharField("项目编码", max_length=40, unique=True)
    name = models.CharField("项目名称", max_length=120)
    plugin_key = models.CharField("计算规则", max_length=40)
    beneficiary_type = models.CharField("受益对象", max_length=8, choices=Beneficiary.choices)
    period_type = models.CharField("周期", max_length=12, choices=PeriodType.choices)
    fund = models.ForeignKey(Account, verbose_name="支付基金", on_delete=models.PROTECT, related_name="programmes")
    bank = models.ForeignKey(Account, verbose_name="付款账户", on_delete=models.PROTECT, related_name="+")
    approval_chain = models.JSONField(
        "审批环节",
        default=list,
        help_text="审批环节列表，每项为 {name: 环节名称, role: 签批角色}；每一环节须由持有该角色、"
        "且未编制、重算或调整过本周期的人员审批，各环节审批人互不相同",
    )
    prorate = models.BooleanField("余额不足时按比例核减", default=False)
    organisation = models.ForeignKey(
        Organisation, verbose_name="主管组织", on_delete=models.PROTECT, related_name="programmes"
    )
    description = models.TextField("说明", blank=True)
    active = models.BooleanField("启用", default=True)

    data_scope = ScopeSpec(paths=("organisation__path",))

    class Meta:
        verbose_name = "资金项目"
        verbose_name_plural = "资金项目"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def chain(self) -> list[tuple[str, str]]:
        """The approval steps as (name, role). A bare name (older rows) is signed by finance."""
        out = []
        for step in self.approval_chain or [DEFAULT_STEP]:
            if isinstance(step, str):
                out.append((step, DEFAULT_STEP_ROLE))
            else:
                out.append((str(step["name"]), str(step["role"])))
        return out

    @property
    def steps(self) -> list[str]:
        return [name for name, _ in self.chain]

    @property
    def step_labels(self) -> list[str]:
        return [f"{name}（{Role(role).label}）" if role in Role.values else name for name, role in self.chain]


class ParameterVersion(models.Model):
    programme = models.ForeignKey(Programme, verbose_name="项目", on_delete=models.PROTECT, related_name="versions")
    effective_from = models.DateField("生效日期")
    params = models.JSONField("参数")
    note = models.CharField("说明", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="设置人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("设置时间", auto_now_add=True)

    data_scope = ScopeSpec(paths=("programme__organisation__path",))

    class Meta:
        verbose_name = "参数版本"
        verbose_name_plural = "参数版本"
        ordering = ["programme", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "effective_from"],
                name="funds_one_version_per_day",
                violation_error_message="该项目在此生效日期已有参数版本",
            )
        ]

    def __str__(self) -> str:
        return f"{self.programme} 参数（{self.effective_from} 起）"


class Cycle(FSMModelMixin, models.Model):
    class State(models.TextChoices):
        COMPUTING = "computing", "计算中"
        COMPUTED = "computed", "已计算"
        REVIEWED = "reviewed", "已复核"
        APPROVED = "approved", "已审批"
        # "paid" is kept as the stored value (other apps read it): the cycle's approved payments are
        # posted as payable; each payment then goes to the bank on its own (Payment.Status).
        PAID = "paid", "已审批入账"
        FAILED = "failed", "计算失败"

    programme = models.ForeignKey(Programme, verbose_name="项目", on_delete=models.PROTECT, related_name="cycles")
    period_key = models.CharField("期间", max_length=16)
    period_start = models.DateField("期间起")
    period_end = models.DateField("期间止")
    version = models.ForeignKey(
        ParameterVersion, verbose_name="适用参数", on_delete=models.PROTECT, related_name="cycles"
    )
    state = FSMField("状态", default=State.COMPUTING, choices=State.choices, protected=True)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="制单人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="复核人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    total = MoneyField("合计", default=ZERO)
    revision = models.PositiveIntegerField("数据版本", default=0, help_text="每次计算、重算或调整金额加一")
    beneficiaries = models.PositiveIntegerField("受益对象数", default=0)
    progress_done = models.PositiveIntegerField("已处理", default=0)
    progress_total = models.PositiveIntegerField("总数", default=0)
    error = models.TextField("错误", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    computed_at = models.DateTimeField("计算时间", null=True, blank=True)
    paid_at = models.DateTimeField("支付时间", null=True, blank=True)

    data_scope = ScopeSpec(paths=("programme__organisation__path",))

    class Meta:
        verbose_name = "发放周期"
        verbose_name_plural = "发放周期"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "period_key"],
                name="funds_one_cycle_per_period",
                violation_error_message="该项目此期间已有发放周期",
            )
        ]

    def __str__(self) -> str:
        return f"{self.programme} · {self.period_key}"

    # Transitions: called only from funds.services, which refuses a step the state machine does not
    # allow (``_step_allowed``); the cycle page offers a button only where ``can_proceed`` says so.
    @transition(field=state, source=[State.COMPUTED, State.REVIEWED, State.FAILED], target=State.COMPUTING)
    def start_compute(self) -> None: ...

    @transition(field=state, source=State.COMPUTING, target=State.COMPUTED)
    def finish_compute(self) -> None: ...

    @transition(field=state, source=State.COMPUTING, target=State.FAILED)
    def fail(self) -> None: ...

    @transition(field=state, source=State.COMPUTED, target=State.REVIEWED)
    def review(self) -> None: ...

    @transition(field=state, source=State.REVIEWED, target=State.COMPUTED)
    def reopen(self) -> None: ...

    @transition(field=state, source=State.REVIEWED, target=State.APPROVED)
    def approve(self) -> None: ...

    @transition(field=state, source=State.APPROVED, target=State.PAID)
    def pay(self) -> None: ...

    @property
    def progress_percent(self) -> int:
        return int(100 * self.progress_done / self.progress_total) if self.progress_total else 0

    @property
    def editable(self) -> bool:
        return self.state in (self.State.COMPUTED, self.State.REVIEWED)


class CycleChange(models.Model):
    """Who made or changed a cycle's figures: they may never approve that cycle (segregation of duties)."""

    class Kind(models.TextChoices):
        PREPARE = "prepare", "编制"
        RECOMPUTE = "recompute", "重新计算"
        ADJUST = "adjust", "调整金额"

    cycle = models.ForeignKey(Cycle, verbose_name="周期", on_delete=models.PROTECT, related_name="changes")
    kind = models.CharField("操作", max_length=12, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", on_delete=models.PROTECT, related_name="+"
    )
    revision = models.PositiveIntegerField("产生的数据版本")
    note = models.CharField("说明", max_length=300, blank=True)
    at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "周期变更记录"
        verbose_name_plural = "周期变更记录"
        ordering = ["cycle", "id"]

    def __str__(self) -> str:
        return f"{self.cycle} {self.get_kind_display()} {self.user}"


class CycleApproval(models.Model):
    """One signed step, of the figures at ``revision``. A later change voids it (kept, marked void)."""

    cycle = models.ForeignKey(Cycle, verbose_name="周期", on_delete=models.PROTECT, related_name="approvals")
    step = models.PositiveSmallIntegerField("环节")
    step_name = models.CharField("环节名称", max_length=60)
    role = models.CharField("签批角色", max_length=32, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="审批人", on_delete=models.PROTECT, related_name="+"
    )
    revision = models.PositiveIntegerField("审批的数据版本", default=0)
    total = MoneyField("审批时合计", default=ZERO)
    at = models.DateTimeField("审批时间", auto_now_add=True)
    voided_at = models.DateTimeField("作废时间", null=True, blank=True)
    void_reason = models.CharField("作废原因", max_length=200, blank=True)

    class Meta:
        verbose_name = "审批记录"
        verbose_name_plural = "审批记录"
        ordering = ["cycle", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "step"],
                condition=Q(voided_at__isnull=True),
                name="funds_one_approval_per_step",
            ),
            models.UniqueConstraint(
                fields=["cycle", "user"],
                condition=Q(voided_at__isnull=True),
                name="funds_distinct_approvers",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cycle} {self.step_name}"


class Entitlement(models.Model):
    cycle = models.ForeignKey(Cycle, verbose_name="周期", on_delete=models.CASCADE, related_name="entitlements")
    beneficiary_key = models.CharField("受益对象键", max_length=40)  # "org:12" / "person:34"
    beneficiary_org = models.ForeignKey(
        Organisation, verbose_name="受益组织", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    beneficiary_person = models.ForeignKey(
        Person, verbose_name="受益人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    beneficiary_name = models.CharField("受益对象", max_length=120)
    amount = MoneyField("计算金额")
    explanation = models.TextField("计算说明")
    inputs = models.JSONField("计算依据", default=dict)
    adjusted_amount = MoneyField("调整后金额", null=True, blank=True)
    adjust_reason = models.CharField("调整理由", max_length=300, blank=True)
    adjusted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="调整人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_amount = MoneyField("核定金额", null=True, blank=True)

    data_scope = ScopeSpec(
        paths=(
            "beneficiary_org__path",
            "beneficiary_person__organisation__path",
            "cycle__programme__organisation__path",
        ),
        owner="beneficiary_person__user",
    )

    class Meta:
        verbose_name = "应发明细"
        verbose_name_plural = "应发明细"
        ordering = ["cycle", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "beneficiary_key"], name="funds_one_entitlement_per_cycle"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="funds_entitlement_amount_nonneg"),
            models.CheckConstraint(
                condition=Q(adjusted_amount__isnull=True) | Q(adjusted_amount__gte=0),
                name="funds_entitlement_adjusted_nonneg",
            ),
            models.CheckConstraint(
                condition=Q(adjusted_amount__isnull=True) | ~Q(adjust_reason=""),
                name="funds_adjustment_needs_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.beneficiary_name} {self.final_amount}"

    @property
    def final_amount(self) -> Decimal:
        return self.adjusted_amount if self.adjusted_amount is not None else self.amount


class PaymentQuerySet(ImmutableQuerySet):
    def lifecycle_update(self, **kwargs: Any) -> int:
        """The one change a payment allows: its bank lifecycle (``Payment.LIFECYCLE_FIELDS``); its
        programme, beneficiary, amount and entry never change."""
        wrong = set(kwargs) - set(Payment.LIFECYCLE_FIELDS)
        if wrong:
            raise ValidationError("账务记录不可修改：请登记冲销分录")
        return models.QuerySet.update(self, **kwargs)


class Payment(ImmutableModel):
    """One approved payment: its amount is owed (payable) from approval; the bank lifecycle follows.

    approved → batched (in a bank batch) → sent → confirmed by the bank, or returned (with the
    bank's reason). A returned payment is never edited into a new one: a re-issue is a new Payment
    linked to it (``reissue_of``). The database allows at most one payment per programme, period
    and beneficiary that is not returned (``funds_pay_once_per_period``)."""

    class Status(models.TextChoices):
        APPROVED = "approved", "已审批待付"
        BATCHED = "batched", "已编入批次"
        SENT = "sent", "已发送银行"
        CONFIRMED = "confirmed", "银行已支付"
        RETURNED = "returned", "银行退回"

    LIFECYCLE_FIELDS = ("status", "status_at", "settle_entry", "settle_entry_id", "return_reason")

    programme = models.ForeignKey(Programme, verbose_name="项目", on_delete=models.PROTECT, related_name="payments")
    period_key = models.CharField("期间", max_length=16)
    beneficiary_key = models.CharField("受益对象键", max_length=40)
    beneficiary_org = models.ForeignKey(
        Organisation,
        verbose_name="受益组织",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="fund_payments",
    )
    beneficiary_person = models.ForeignKey(
        Person, verbose_name="受益人", null=True, blank=True, on_delete=models.PROTECT, related_name="fund_payments"
    )
    beneficiary_name = models.CharField("受益对象", max_length=120)
    cycle = models.ForeignKey(Cycle, verbose_name="周期", on_delete=models.PROTECT, related_name="payments")
    # A re-issue pays the same entitlement again (after the first payment was returned).
    entitlement = models.ForeignKey(
        Entitlement, verbose_name="应发明细", on_delete=models.PROTECT, related_name="payments"
    )
    amount = MoneyField("金额")
    entry = models.OneToOneField(JournalEntry, verbose_name="凭证", on_delete=models.PROTECT, related_name="payment")
    paid_at = models.DateTimeField("审批入账时间", auto_now_add=True)
    status = models.CharField(
        "支付状态", max_length=12, choices=Status.choices, default=Status.APPROVED, db_default=Status.APPROVED
    )
    status_at = models.DateTimeField("状态时间", null=True, blank=True)
    # The bank's answer in the ledger: payable → bank (confirmed) or the reversal of ``entry`` (returned).
    settle_entry = models.OneToOneField(
        JournalEntry,
        verbose_name="银行结果凭证",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="settled_payment",
    )
    return_reason = models.CharField("退回原因", max_length=200, blank=True, default="", db_default="")
    reissue_of = models.OneToOneField(
        "self",
        verbose_name="重发的原支付",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reissued_by",
    )

    objects = PaymentQuerySet.as_manager()

    data_scope = ScopeSpec(
        paths=("beneficiary_org__path", "beneficiary_person__organisation__path", "programme__organisation__path"),
        owner="beneficiary_person__user",
    )

    class Meta:
        verbose_name = "支付记录"
        verbose_name_plural = "支付记录"
        ordering = ["-paid_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "period_key", "beneficiary_key"],
                condition=~Q(status="returned"),
                name="funds_pay_once_per_period",
                violation_error_message="该受益对象本期已支付",
            ),
            models.UniqueConstraint(
                fields=["entitlement"],
                condition=~Q(status="returned"),
                name="funds_one_live_payment_per_entitlement",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="funds_payment_positive"),
            models.CheckConstraint(
                condition=Q(status__in=["approved", "batched", "sent", "confirmed", "returned"]),
                name="funds_payment_status_known",
            ),
            models.CheckConstraint(
                condition=~Q(status="returned") | ~Q(return_reason=""), name="funds_return_needs_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.beneficiary_name} {self.period_key} {self.amount}"

    @property
    def reference_prefix(self) -> str:
        return f"ZF{self.pk:08d}"


class OnceBenefit(ImmutableModel):
    """A once-per-beneficiary benefit (the start-up grant): at most one payment per beneficiary
    across every programme of the same rule (plug-in), enforced by a unique constraint."""

    rule = models.CharField("计算规则", max_length=40)
    beneficiary_key = models.CharField("受益对象键", max_length=40)
    payment = models.OneToOneField(
        Payment, verbose_name="支付记录", on_delete=models.PROTECT, related_name="once_benefit"
    )

    class Meta:
        verbose_name = "一次性待遇记录"
        verbose_name_plural = "一次性待遇记录"
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "beneficiary_key"],
                name="funds_once_per_beneficiary",
                violation_error_message="该受益对象已领取过此项一次性待遇",
            )
        ]

    def __str__(self) -> str:
        return f"{self.rule} {self.beneficiary_key}"


# --- money reaching the bank (docs/bank.md) -----------------------------------------------------


def mask_bank_number(value: str | None) -> str:
    """6222 **** **** 1234: the first and last four digits, never the whole number."""
    digits = "".join(ch for ch in (value or "") if not ch.isspace())
    if not digits:
        return ""
    if len(digits) <= 8:
        return "*" * (len(digits) - 2) + digits[-2:]
    return f"{digits[:4]} **** **** {digits[-4:]}"


class PayeeAccount(models.Model):
    """A bank account a payee is paid into: a grassroots union's, or a person's (with their hardship
    file). Dated, with history (a new account supersedes the old one when it is verified), verified by
    the district before first use. The number is encrypted, searched by its blind index, masked
    everywhere but the bank file; every full view is audited."""

    class Status(models.TextChoices):
        PENDING = "pending", "待核验"
        VERIFIED = "verified", "已核验"
        REJECTED = "rejected", "核验未通过"
        SUPERSEDED = "superseded", "已停用"

    class Source(models.TextChoices):
        ENTERED = "entered", "录入"
        IMPORTED = "imported", "导入"

    owner_key = models.CharField("收款对象键", max_length=40, db_index=True)  # a payment's beneficiary_key
    organisation = models.ForeignKey(
        Organisation,
        verbose_name="收款组织",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payee_accounts",
    )
    person = models.ForeignKey(
        Person, verbose_name="收款人", null=True, blank=True, on_delete=models.PROTECT, related_name="payee_accounts"
    )
    file = models.ForeignKey(
        "assistance.HardshipFile",
        verbose_name="困难职工档案",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payee_accounts",
    )
    holder_name = models.CharField("户名", max_length=60)
    number = EncryptedTextField("账号")
    number_index = BlindIndexField("账号索引", source="number", purpose="bank_account", db_index=True)
    bank_name = models.CharField("开户行", max_length=80)
    bank_code = models.CharField("联行号", max_length=12)
    valid_from = models.DateField("启用日期")
    valid_to = models.DateField("停用日期", null=True, blank=True)
    status = models.CharField("核验状态", max_length=12, choices=Status.choices, default=Status.PENDING)
    source = models.CharField("来源", max_length=10, choices=Source.choices, default=Source.ENTERED)
    note = models.CharField("说明", max_length=200, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="录入人", on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField("录入时间", auto_now_add=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="核验人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    verified_at = models.DateTimeField("核验时间", null=True, blank=True)
    rejection_reason = models.CharField("未通过原因", max_length=200, blank=True)

    data_scope = ScopeSpec(paths=("organisation__path", "person__organisation__path"))

    class Meta:
        verbose_name = "收款账户"
        verbose_name_plural = "收款账户"
        ordering = ["owner_key", "-valid_from", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner_key"], condition=Q(status="verified"), name="funds_payee_one_verified_account"
            ),
            models.UniqueConstraint(
                fields=["owner_key"], condition=Q(status="pending"), name="funds_payee_one_pending_account"
            ),
            models.CheckConstraint(
                condition=Q(organisation__isnull=False) | Q(person__isnull=False), name="funds_payee_has_owner"
            ),
            models.CheckConstraint(
                condition=~Q(status="verified") | Q(verified_by__isnull=False), name="funds_payee_verified_by"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.holder_name} {self.masked_number}"

    @property
    def masked_number(self) -> str:
        return mask_bank_number(self.number)

    @property
    def owner_name(self) -> str:
        if self.organisation_id:
            return self.organisation.name
        return self.person.name if self.person_id else ""


class BankBatch(models.Model):
    """Approved payments sent to the bank in one batch-transfer file; locked once sent."""

    class State(models.TextChoices):
        DRAFT = "draft", "待发送"
        SENT = "sent", "已发送"
        RECONCILED = "reconciled", "已全部回单"
        CANCELLED = "cancelled", "已作废"

    number = models.CharField("批次号", max_length=20, unique=True)
    bank_account = models.ForeignKey(Account, verbose_name="付款账户", on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, verbose_name="付款单位", on_delete=models.PROTECT, related_name="+")
    state = models.CharField("状态", max_length=12, choices=State.choices, default=State.DRAFT)
    count = models.PositiveIntegerField("笔数", default=0)
    total = MoneyField("合计", default=ZERO)
    checksum = models.CharField("金额校验码", max_length=64, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="编制人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("编制时间", auto_now_add=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发送人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    data_scope = ScopeSpec(paths=("organisation__path",))

    class Meta:
        verbose_name = "银行批次"
        verbose_name_plural = "银行批次"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.number

    @property
    def locked(self) -> bool:
        return self.state != self.State.DRAFT


class BankResultImport(models.Model):
    """One bank result file read for a batch, with what it applied and what it reported."""

    batch = models.ForeignKey(BankBatch, verbose_name="批次", on_delete=models.PROTECT, related_name="imports")
    filename = models.CharField("文件名", max_length=200)
    sha256 = models.CharField("文件摘要", max_length=64)
    lines = models.PositiveIntegerField("行数", default=0)
    confirmed = models.PositiveIntegerField("确认成功", default=0)
    returned = models.PositiveIntegerField("退回", default=0)
    problems = models.JSONField("未处理的行", default=list)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="导入人", on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField("导入时间", auto_now_add=True)

    class Meta:
        verbose_name = "银行回单导入"
        verbose_name_plural = "银行回单导入"
        ordering = ["-imported_at", "-id"]

    def __str__(self) -> str:
        return f"{self.batch} {self.filename}"


class BatchLine(models.Model):
    """One payment in a batch: its reference, the account it was sent to, and the bank's answer."""

    class Result(models.TextChoices):
        NONE = "", "未回单"
        CONFIRMED = "confirmed", "成功"
        RETURNED = "returned", "退回"

    batch = models.ForeignKey(BankBatch, verbose_name="批次", on_delete=models.PROTECT, related_name="lines")
    payment = models.ForeignKey(Payment, verbose_name="支付记录", on_delete=models.PROTECT, related_name="batch_lines")
    seq = models.PositiveIntegerField("序号")
    reference = models.CharField("业务参考号", max_length=32, unique=True)
    amount = MoneyField("金额")
    account = models.ForeignKey(PayeeAccount, verbose_name="收款账户", on_delete=models.PROTECT, related_name="+")
    active = models.BooleanField("有效", default=True)  # False: taken out of a batch before it was sent
    result = models.CharField("银行结果", max_length=10, choices=Result.choices, blank=True, default="")
    reason = models.CharField("退回原因", max_length=200, blank=True)
    answered_at = models.DateTimeField("回单时间", null=True, blank=True)
    answered_in = models.ForeignKey(
        BankResultImport, verbose_name="回单文件", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    data_scope = ScopeSpec(paths=("batch__organisation__path",))

    class Meta:
        verbose_name = "批次明细"
        verbose_name_plural = "批次明细"
        ordering = ["batch", "seq"]
        constraints = [
            # the same payment is never in two open batches
            models.UniqueConstraint(
                fields=["payment"],
                condition=Q(active=True),
                name="funds_payment_one_open_batch",
                violation_error_message="该支付已在另一个银行批次中",
            ),
            models.UniqueConstraint(fields=["batch", "seq"], name="funds_batch_line_seq"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="funds_batch_line_positive"),
        ]

    def __str__(self) -> str:
        return self.reference


class Reissue(models.Model):
    """A returned payment to be paid again, into the corrected account: requested by one officer,
    approved by another who neither requested it nor corrected the account."""

    returned = models.OneToOneField(
        Payment, verbose_name="被退回的支付", on_delete=models.PROTECT, related_name="reissue_request"
    )
    account = models.ForeignKey(PayeeAccount, verbose_name="更正后的账户", on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审批人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField("审批时间", null=True, blank=True)
    payment = models.OneToOneField(
        Payment, verbose_name="重发的支付", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    data_scope = ScopeSpec(
        paths=(
            "returned__beneficiary_org__path",
            "returned__beneficiary_person__organisation__path",
            "returned__programme__organisation__path",
        )
    )

    class Meta:
        verbose_name = "重新支付"
        verbose_name_plural = "重新支付"
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"重发 {self.returned}"
