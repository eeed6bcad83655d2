"""Questionnaires sent to members, and their answers.

Who was asked and who has answered (``Invitation``) is stored apart from what was answered
(``Response`` / ``Answer``). In an anonymous survey nothing joins the two: a response has a random
id (uuid4), no person, no date, and reaches its table only in shuffled batches (``PendingResponse``
holds the encrypted answers until a batch is full). docs/surveys.md states the threat model.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_fsm import FSMField, transition

from members.models import Person
from orgs.models import Organisation
from orgs.scopespec import ScopeSpec

# Results of an anonymous survey are shown for a group only when at least this many answered, and
# anonymous answers reach the response table in shuffled batches of this size.
MIN_GROUP = 5


class Survey(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", "草稿"
        OPEN = "open", "进行中"
        CLOSED = "closed", "已结束"

    class Audience(models.TextChoices):
        SUBTREE = "subtree", "全体在册会员"
        SAMPLE = "sample", "随机抽样"

    organisation = models.ForeignKey(
        Organisation, verbose_name="发起工会", on_delete=models.PROTECT, related_name="surveys"
    )
    title = models.CharField("问卷名称", max_length=120)
    intro = models.TextField("说明", blank=True)
    anonymous = models.BooleanField("匿名", default=False, help_text="匿名问卷不保存答卷与答卷人的任何对应关系")
    audience = models.CharField("调查对象", max_length=12, choices=Audience.choices, default=Audience.SUBTREE)
    sample_size = models.PositiveIntegerField("抽样人数", null=True, blank=True)
    sample_seed = models.BigIntegerField("抽样种子", null=True, blank=True, editable=False)
    state = FSMField("状态", max_length=12, choices=State.choices, default=State.DRAFT, protected=True)
    sent_on = models.DateField("发放日期", null=True, blank=True, db_index=True)
    closes_on = models.DateField("截止日期")
    closed_on = models.DateField("结束日期", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="创建人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    data_scope = ScopeSpec(paths=("organisation__path",))

    class Meta:
        verbose_name = "问卷"
        verbose_name_plural = "问卷"
        constraints = [
            models.CheckConstraint(
                condition=Q(audience="subtree") | Q(sample_size__gt=0),
                name="surveys_sample_has_size",
                violation_error_message="随机抽样须填写抽样人数",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    # The transitions only move the state; surveys.services checks who may, and does the work.
    @transition(field=state, source=State.DRAFT, target=State.OPEN)
    def t_send(self) -> None:
        pass

    @transition(field=state, source=State.OPEN, target=State.CLOSED)
    def t_close(self) -> None:
        pass


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", "单选"
        MULTIPLE = "multiple", "多选"
        SCALE = "scale", "量表（满意度）"
        NUMBER = "number", "数字"
        TEXT = "text", "文字"

    CHOICE_KINDS = (Kind.SINGLE, Kind.MULTIPLE)

    survey = models.ForeignKey(Survey, verbose_name="问卷", on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveIntegerField("序号")
    kind = models.CharField("题型", max_length=12, choices=Kind.choices)
    text = models.CharField("题目", max_length=300)
    required = models.BooleanField("必答", default=True)
    options = models.JSONField("选项", default=list, blank=True)
    scale_min = models.PositiveSmallIntegerField("量表最低分", default=1)
    scale_max = models.PositiveSmallIntegerField("量表最高分", default=5)
    # Shown only when the answer to an earlier choice question includes one of these options.
    condition_on = models.ForeignKey(
        "self", verbose_name="显示条件：题目", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    condition_values = models.JSONField("显示条件：选项", default=list, blank=True)

    data_scope = ScopeSpec(paths=("survey__organisation__path",))

    class Meta:
        verbose_name = "题目"
        verbose_name_plural = "题目"
        ordering = ["survey", "position"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "position"], name="surveys_question_position"),
            models.CheckConstraint(condition=Q(scale_min__lt=models.F("scale_max")), name="surveys_scale_range"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.text}"

    @property
    def scale_values(self) -> range:
        return range(self.scale_min, self.scale_max + 1)


class Invitation(models.Model):
    """One member asked, and whether they have answered: never what they answered, nor when (anonymous)."""

    survey = models.ForeignKey(Survey, verbose_name="问卷", on_delete=models.CASCADE, related_name="invitations")
    person = models.ForeignKey(Person, verbose_name="会员", on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, verbose_name="所在工会", on_delete=models.PROTECT, related_name="+")
    # The organisation an anonymous answer is counted under: the member's union when the survey asks
    # at least MIN_GROUP of its members, else the survey's organisation (a small union's answers are
    # pooled so that a group of one cannot be read off).
    group = models.ForeignKey(Organisation, verbose_name="统计单位", on_delete=models.PROTECT, related_name="+")
    answered = models.BooleanField("已答", default=False)
    answered_on = models.DateField("作答日期", null=True, blank=True)  # named surveys only

    data_scope = ScopeSpec(paths=("organisation__path",), owner="person__user")

    class Meta:
        verbose_name = "问卷发放"
        verbose_name_plural = "问卷发放"
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "person"],
                name="surveys_one_invitation",
                violation_error_message="该会员已在发放名单中",
            ),
            models.CheckConstraint(
                condition=Q(answered=True) | Q(answered_on__isnull=True), name="surveys_date_if_answered"
            ),
        ]
        indexes = [models.Index(fields=["survey", "organisation"], name="surveys_inv_org")]

    def __str__(self) -> str:
        return f"{self.survey} → {self.person_id}"


class Response(models.Model):
    """One filled questionnaire. Named: the person and the day. Anonymous: neither, and a random id."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, verbose_name="问卷", on_delete=models.CASCADE, related_name="responses")
    organisation = models.ForeignKey(Organisation, verbose_name="统计单位", on_delete=models.PROTECT, related_name="+")
    anonymous = models.BooleanField("匿名", default=False)
    person = models.ForeignKey(
        Person, verbose_name="答卷人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_on = models.DateField("提交日期", null=True, blank=True)

    data_scope = ScopeSpec(paths=("survey__organisation__path",))

    class Meta:
        verbose_name = "答卷"
        verbose_name_plural = "答卷"
        constraints = [
            # One answer per member (named surveys; an anonymous one relies on Invitation.answered).
            models.UniqueConstraint(
                fields=["survey", "person"], name="surveys_one_response", violation_error_message="您已提交过此问卷"
            ),
            models.CheckConstraint(
                condition=(Q(anonymous=True, person__isnull=True, submitted_on__isnull=True))
                | Q(anonymous=False, person__isnull=False, submitted_on__isnull=False),
                name="surveys_anonymous_has_no_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey} 答卷"


class Answer(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(Response, verbose_name="答卷", on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, verbose_name="题目", on_delete=models.PROTECT, related_name="answers")
    choices = models.JSONField("所选项", default=list, blank=True)
    number = models.DecimalField("数值", max_digits=12, decimal_places=2, null=True, blank=True)
    text = models.TextField("文字", blank=True)

    data_scope = ScopeSpec(paths=("response__survey__organisation__path",))

    class Meta:
        verbose_name = "回答"
        verbose_name_plural = "回答"
        constraints = [models.UniqueConstraint(fields=["response", "question"], name="surveys_one_answer")]

    def __str__(self) -> str:
        return f"{self.question_id}"


class PendingResponse(models.Model):
    """An anonymous answer waiting for its batch: encrypted, random id, deleted when the batch is written."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, verbose_name="问卷", on_delete=models.CASCADE, related_name="pending")
    payload = models.TextField("加密答卷")

    data_scope = ScopeSpec(paths=("survey__organisation__path",))

    class Meta:
        verbose_name = "待入库的匿名答卷"
        verbose_name_plural = "待入库的匿名答卷"

    def __str__(self) -> str:
        return "待入库答卷"
