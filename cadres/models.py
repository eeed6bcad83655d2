"""The union's own people: posts held in each union (dated history), professional social workers
from recruitment to yearly evaluation, and the yearly training of grassroots cadres.

Posts are the source of truth for who holds which office; ``orgs.Organisation.chair_name``,
``chair_full_time`` and ``vice_chairs`` are derived from the current posts by ``cadres.services``
whenever a post starts or ends (see docs/cadres.md).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django_fsm import FSMField, FSMModelMixin, transition
from simple_history.models import HistoricalRecords

from core.crypto import EncryptedTextField, mask_phone
from members.models import Person
from orgs.models import Organisation
from orgs.scopespec import ScopeSpec

SCORE_VALIDATORS = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


class Cadre(models.Model):
    """A person who holds (or held) a union post: named, optionally linked to the member registry and
    to a platform account (for invitations). ``organisation`` is the union of their latest post, kept
    by the services, so that a cadre is seen by whoever sees the union they now serve."""

    name = models.CharField("姓名", max_length=50, db_index=True)
    person = models.OneToOneField(
        Person, verbose_name="会员档案", null=True, blank=True, on_delete=models.PROTECT, related_name="cadre"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="平台账号",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cadre_profiles",
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name="现任职工会", on_delete=models.PROTECT, related_name="cadres"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    history = HistoricalRecords()
    data_scope = ScopeSpec(paths=("organisation__path",))

    class Meta:
        verbose_name = "工会干部"
        verbose_name_plural = "工会干部"

    def __str__(self) -> str:
        return self.name


class Post(models.Model):
    """One term of one person in one union office. Ending a post keeps the row (dated history)."""

    class Role(models.TextChoices):
        CHAIR = "chair", "主席"
        VICE_CHAIR = "vice_chair", "副主席"
        COMMITTEE = "committee", "委员"
        AUDIT = "audit", "经审委员"
        WOMEN = "women", "女职委委员"

    class Rank(models.TextChoices):
        NONE = "", "未定级"
        ZHENGKE = "zhengke", "正科实职"
        FUKE = "fuke", "副科实职"

    class Selection(models.TextChoices):
        ELECTED = "elected", "选举产生"
        APPOINTED = "appointed", "委派（任命）"

    organisation = models.ForeignKey(Organisation, verbose_name="工会", on_delete=models.PROTECT, related_name="posts")
    cadre = models.ForeignKey(Cadre, verbose_name="干部", on_delete=models.PROTECT, related_name="posts")
    role = models.CharField("职务", max_length=16, choices=Role.choices)
    full_time = models.BooleanField("专职", default=False)
    rank = models.CharField("职级", max_length=12, choices=Rank.choices, blank=True, default="")
    separate_quota = models.BooleanField("职数单列", default=False)
    selection = models.CharField("产生方式", max_length=12, choices=Selection.choices, default=Selection.ELECTED)
    term_start = models.DateField("本届任期起")
    term_end = models.DateField("本届任期止", db_index=True)
    started_on = models.DateField("任职日期")
    ended_on = models.DateField("离任日期", null=True, blank=True)
    end_reason = models.CharField("离任原因", max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()
    data_scope = ScopeSpec(paths=("organisation__path",))

    class Meta:
        verbose_name = "工会职务"
        verbose_name_plural = "工会职务"
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"],
                condition=Q(role="chair", ended_on__isnull=True),
                name="cadres_one_current_chair",
                violation_error_message="该工会已有在任主席",
            ),
            models.UniqueConstraint(
                fields=["organisation", "cadre", "role"],
                condition=Q(ended_on__isnull=True),
                name="cadres_one_current_post_per_role",
                violation_error_message="该干部在本工会已担任此职务",
            ),
            models.CheckConstraint(condition=Q(term_end__gte=models.F("term_start")), name="cadres_term_ordered"),
        ]
        indexes = [models.Index(fields=["organisation", "ended_on"], name="cadres_post_org_current")]

    def __str__(self) -> str:
        return f"{self.organisation.name} {self.get_role_display()} {self.cadre.name}"

    @property
    def is_current(self) -> bool:
        return self.ended_on is None


# --- professional union social workers -----------------------------------------------------------


class Recruitment(FSMModelMixin, models.Model):
    """A recruitment of 专职工会社会工作者: each step is a transition, taken only from the step before."""

    class State(models.TextChoices):
        OPEN = "open", "报名中"
        REVIEW = "review", "资格审查"
        WRITTEN = "written", "笔试"
        INTERVIEW = "interview", "面试"
        RANKED = "ranked", "已排名"
        NOTICE = "notice", "公示中"
        HIRED = "hired", "已聘用"

    organisation = models.ForeignKey(
        Organisation, verbose_name="招聘单位", on_delete=models.PROTECT, related_name="recruitments"
    )
    title = models.CharField("招聘名称", max_length=120)
    positions = models.PositiveSmallIntegerField("招聘人数", validators=[MinValueValidator(1)])
    opened_on = models.DateField("报名开始")
    written_pass_mark = models.DecimalField("笔试合格线", max_digits=5, decimal_places=2, default=Decimal("60"))
    written_weight = models.DecimalField(
        "笔试权重",
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.40"),
        help_text="综合成绩 = 笔试×权重 + 面试×(1−权重)",
    )
    notice_days = models.PositiveSmallIntegerField("公示天数", default=5, validators=[MinValueValidator(1)])
    interviewers = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name="面试官", related_name="+", blank=True)
    state = FSMField("状态", default=State.OPEN, choices=State.choices, protected=True)
    notice_start = models.DateField("公示开始", null=True, blank=True)
    notice_end = models.DateField("公示结束", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发起人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("发起时间", auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["interviewers"])
    data_scope = ScopeSpec(paths=("organisation__path",))

    class Meta:
        verbose_name = "社工招聘"
        verbose_name_plural = "社工招聘"

    def __str__(self) -> str:
        return self.title

    @transition(field=state, source=State.OPEN, target=State.REVIEW)
    def close_applications(self) -> None: ...

    @transition(field=state, source=State.REVIEW, target=State.WRITTEN)
    def start_written(self) -> None: ...

    @transition(field=state, source=State.WRITTEN, target=State.INTERVIEW)
    def start_interview(self) -> None: ...

    @transition(field=state, source=State.INTERVIEW, target=State.RANKED)
    def rank(self) -> None: ...

    @transition(field=state, source=State.RANKED, target=State.NOTICE)
    def publish_notice(self) -> None: ...

    @transition(field=state, source=State.NOTICE, target=State.HIRED)
    def hire(self) -> None: ...


class Application(models.Model):
    """One applicant of a recruitment, with what each step recorded about them."""

    recruitment = models.ForeignKey(
        Recruitment, verbose_name="招聘", on_delete=models.PROTECT, related_name="applications"
    )
    name = models.CharField("姓名", max_length=50)
    mobile = EncryptedTextField("手机号")
    applied_on = models.DateField("报名日期")
    eligible = models.BooleanField("资格审查通过", null=True)
    review_note = models.CharField("审查意见", max_length=200, blank=True)
    written_score = models.DecimalField(
        "笔试成绩", max_digits=5, decimal_places=2, null=True, blank=True, validators=SCORE_VALIDATORS
    )
    interview_score = models.DecimalField("面试成绩", max_digits=5, decimal_places=2, null=True, blank=True)
    total_score = models.DecimalField("综合成绩", max_digits=5, decimal_places=2, null=True, blank=True)
    rank = models.PositiveSmallIntegerField("名次", null=True, blank=True)
    hired = models.BooleanField("拟聘用", default=False)

    data_scope = ScopeSpec(paths=("recruitment__organisation__path",))

    class Meta:
        verbose_name = "报名人"
        verbose_name_plural = "报名人"

    def __str__(self) -> str:
        return self.name

    @property
    def mobile_masked(self) -> str:
        return mask_phone(self.mobile)

    @property
    def in_interview(self) -> bool:
        """Eligible and at or above the written pass mark: the candidates the interviewers score."""
        return (
            self.eligible is True
            and self.written_score is not None
            and self.written_score >= self.recruitment.written_pass_mark
        )


class InterviewScore(models.Model):
    """One interviewer's score of one candidate, entered on their own and final once submitted."""

    application = models.ForeignKey(Application, verbose_name="报名人", on_delete=models.PROTECT, related_name="scores")
    interviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="面试官", on_delete=models.PROTECT, related_name="+"
    )
    score = models.DecimalField("评分", max_digits=5, decimal_places=2, validators=SCORE_VALIDATORS)
    submitted_at = models.DateTimeField("提交时间", auto_now_add=True)

    data_scope = ScopeSpec(paths=("application__recruitment__organisation__path",))

    class Meta:
        verbose_name = "面试评分"
        verbose_name_plural = "面试评分"
        constraints = [
            models.UniqueConstraint(
                fields=["application", "interviewer"],
                name="cadres_one_score_per_interviewer",
                violation_error_message="您已为该考生评分，评分提交后不能修改",
            )
        ]

    def __str__(self) -> str:
        return f"{self.application.name} · {self.score}"


class PayGrade(models.Model):
    """保障办法 as parameters: a pay grade of social workers and the guarantees that go with it."""

    organisation = models.ForeignKey(Organisation, verbose_name="制定单位", on_delete=models.PROTECT, related_name="+")
    code = models.CharField("等级代码", max_length=20)
    name = models.CharField("等级名称", max_length=50)
    monthly_pay = models.DecimalField("月薪酬标准（元）", max_digits=10, decimal_places=2)
    social_insurance = models.BooleanField("缴纳五险", default=True)
    housing_fund = models.BooleanField("缴纳住房公积金", default=True)
    annual_leave_days = models.PositiveSmallIntegerField("年休假天数", default=5)
    valid_from = models.DateField("执行日期")

    history = HistoricalRecords()
    data_scope = ScopeSpec(paths=("organisation__path",))

    class Meta:
        verbose_name = "社工薪酬等级"
        verbose_name_plural = "社工薪酬等级"
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="cadres_one_grade_code"),
            models.CheckConstraint(condition=Q(monthly_pay__gt=0), name="cadres_pay_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.monthly_pay} 元/月）"


class SocialWorker(FSMModelMixin, models.Model):
    """A hired professional social worker, on the closed cycle 选聘 → 考核 → 使用 → 评价."""

    class Stage(models.TextChoices):
        PROBATION = "probation", "选聘（试用期）"
        IN_SERVICE = "in_service", "使用中"
        DISMISSED = "dismissed", "已解聘"

    organisation = models.ForeignKey(
        Organisation, verbose_name="聘用单位", on_delete=models.PROTECT, related_name="social_workers"
    )
    name = models.CharField("姓名", max_length=50)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="平台账号",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="social_worker",
    )
    application = models.OneToOneField(
        Application, verbose_name="招聘报名", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    pay_grade = models.ForeignKey(
        PayGrade, verbose_name="薪酬等级", null=True, blank=True, on_delete=models.PROTECT, related_name="workers"
    )
    hired_on = models.DateField("聘用日期")
    stage = FSMField("阶段", default=Stage.PROBATION, choices=Stage.choices, protected=True)
    left_on = models.DateField("解聘日期", null=True, blank=True)
    left_reason = models.CharField("解聘原因", max_length=200, blank=True)

    history = HistoricalRecords()
    data_scope = ScopeSpec(paths=("organisation__path",))

    class Meta:
        verbose_name = "专职工会社会工作者"
        verbose_name_plural = "专职工会社会工作者"

    def __str__(self) -> str:
        return self.name

    @transition(field=stage, source=Stage.PROBATION, target=Stage.IN_SERVICE)
    def confirm(self) -> None: ...

    @transition(field=stage, source=[Stage.PROBATION, Stage.IN_SERVICE], target=Stage.DISMISSED)
    def dismiss(self) -> None: ...


class Assignment(models.Model):
    """A social worker serving a grassroots union; while current they are its 点对点 liaison."""

    social_worker = models.ForeignKey(
        SocialWorker, verbose_name="社工", on_delete=models.PROTECT, related_name="assignments"
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name="服务工会", on_delete=models.PROTECT, related_name="social_worker_assignments"
    )
    started_on = models.DateField("开始日期")
    ended_on = models.DateField("结束日期", null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="指派人", null=True, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()
    data_scope = ScopeSpec(paths=("organisation__path",))

    class Meta:
        verbose_name = "社工服务指派"
        verbose_name_plural = "社工服务指派"
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"],
                condition=Q(ended_on__isnull=True),
                name="cadres_one_current_worker_per_union",
                violation_error_message="该工会已有在岗服务社工",
            )
        ]

    def __str__(self) -> str:
        return f"{self.social_worker.name} → {self.organisation.name}"


class Evaluation(models.Model):
    """The yearly evaluation of a social worker (考核/评价): one per worker and year."""

    class Result(models.TextChoices):
        EXCELLENT = "excellent", "优秀"
        COMPETENT = "competent", "称职"
        BASIC = "basic", "基本称职"
        INCOMPETENT = "incompetent", "不称职"

    class Source(models.TextChoices):
        REVIEWER = "reviewer", "评审录入"
        ASSESSMENT = "assessment", "考评系统"

    social_worker = models.ForeignKey(
        SocialWorker, verbose_name="社工", on_delete=models.PROTECT, related_name="evaluations"
    )
    year = models.PositiveSmallIntegerField("年度")
    result = models.CharField("评价结果", max_length=12, choices=Result.choices)
    score = models.DecimalField(
        "得分", max_digits=5, decimal_places=2, null=True, blank=True, validators=SCORE_VALIDATORS
    )
    note = models.CharField("评语", max_length=300, blank=True)
    source = models.CharField("来源", max_length=12, choices=Source.choices, default=Source.REVIEWER)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="录入人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("录入时间", auto_now_add=True)

    data_scope = ScopeSpec(paths=("social_worker__organisation__path",))

    class Meta:
        verbose_name = "社工年度评价"
        verbose_name_plural = "社工年度评价"
        constraints = [
            models.UniqueConstraint(
                fields=["social_worker", "year"],
                name="cadres_one_evaluation_a_year",
                violation_error_message="该社工本年度已有评价结果",
            )
        ]

    def __str__(self) -> str:
        return f"{self.social_worker.name} {self.year} 年 {self.get_result_display()}"


# --- cadre training ------------------------------------------------------------------------------


class TrainingClass(models.Model):
    """A training class organised by the district, a town/street or a zone union."""

    class Mode(models.TextChoices):
        CENTRAL = "central", "集中调训"
        ROTATION = "rotation", "分批轮训"

    ORGANISER_KINDS = frozenset(
        {Organisation.Kind.DISTRICT, Organisation.Kind.TOWN, Organisation.Kind.STREET, Organisation.Kind.ZONE}
    )

    organisation = models.ForeignKey(
        Organisation, verbose_name="主办工会", on_delete=models.PROTECT, related_name="training_classes"
    )
    title = models.CharField("培训班名称", max_length=120)
    mode = models.CharField("培训方式", max_length=12, choices=Mode.choices, default=Mode.CENTRAL)
    batch = models.PositiveSmallIntegerField("批次", null=True, blank=True, help_text="分批轮训的第几批")
    starts_on = models.DateField("开班日期")
    ends_on = models.DateField("结业日期", db_index=True)
    hours = models.DecimalField("学时", max_digits=5, decimal_places=1, validators=[MinValueValidator(Decimal("0.5"))])
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()
    data_scope = ScopeSpec(paths=("organisation__path",))

    class Meta:
        verbose_name = "干部培训班"
        verbose_name_plural = "干部培训班"
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="cadres_class_dates_ordered")
        ]

    def __str__(self) -> str:
        return self.title


class Attendance(models.Model):
    """A cadre on a class: invited, then attended and completed (结业) or absent.

    ``organisation`` is the union the cadre served when placed on the class: the row stays with it
    (and its town) when the cadre later moves, while the coverage rule follows the person.
    """

    class Status(models.TextChoices):
        INVITED = "invited", "已邀请"
        ENROLLED = "enrolled", "已报到"
        COMPLETED = "completed", "已结业"
        ABSENT = "absent", "缺训"

    training_class = models.ForeignKey(
        TrainingClass, verbose_name="培训班", on_delete=models.PROTECT, related_name="attendances"
    )
    cadre = models.ForeignKey(Cadre, verbose_name="干部", on_delete=models.PROTECT, related_name="attendances")
    organisation = models.ForeignKey(Organisation, verbose_name="所在工会", on_delete=models.PROTECT, related_name="+")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.ENROLLED)
    completed_on = models.DateField("结业日期", null=True, blank=True, db_index=True)
    invited_at = models.DateTimeField("邀请时间", null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()
    data_scope = ScopeSpec(paths=("organisation__path", "training_class__organisation__path"))

    class Meta:
        verbose_name = "培训记录"
        verbose_name_plural = "培训记录"
        constraints = [
            models.UniqueConstraint(
                fields=["training_class", "cadre"],
                name="cadres_once_per_class",
                violation_error_message="该干部已在本培训班名单中",
            ),
            models.CheckConstraint(
                condition=Q(status="completed", completed_on__isnull=False) | ~Q(status="completed"),
                name="cadres_completed_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cadre.name} · {self.training_class.title}"
