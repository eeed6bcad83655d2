"""The cadres pages' forms (the services check again)."""

from __future__ import annotations

from typing import Any

from django import forms

from cadres.models import Attendance, Evaluation, Post, TrainingClass
from cadres.rules import UNION_KINDS
from core.forms import BoundedModelChoiceField, StyledFormMixin
from orgs.forms import OrganisationChoiceField, PickerFormMixin
from orgs.pickers import PickerScope
from orgs.roles import Perm

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PostForm(PickerFormMixin, StyledFormMixin, forms.Form):
    organisation = OrganisationChoiceField(
        label="工会", scope=PickerScope(perm=Perm.CADRE_MANAGE, kinds=tuple(UNION_KINDS))
    )
    name = forms.CharField(label="姓名", max_length=50)
    role = forms.ChoiceField(label="职务", choices=Post.Role.choices)
    full_time = forms.BooleanField(label="专职", required=False)
    rank = forms.ChoiceField(label="职级（专职副主席）", choices=Post.Rank.choices, required=False)
    separate_quota = forms.BooleanField(label="职数单列（专职副主席）", required=False)
    selection = forms.ChoiceField(label="产生方式", choices=Post.Selection.choices)
    term_start = forms.DateField(label="本届任期起", widget=DATE)
    term_end = forms.DateField(label="本届任期止", widget=DATE)
    started_on = forms.DateField(label="任职日期", widget=DATE)


class EndForm(StyledFormMixin, forms.Form):
    ended_on = forms.DateField(label="结束日期", widget=DATE)
    reason = forms.CharField(label="原因", max_length=200)


class RecruitmentForm(PickerFormMixin, StyledFormMixin, forms.Form):
    organisation = OrganisationChoiceField(
        label="招聘单位",
        scope=PickerScope(perm=Perm.SOCIAL_WORKER_MANAGE, kinds=("district", "town", "street", "zone", "sector")),
    )
    title = forms.CharField(label="招聘名称", max_length=120)
    positions = forms.IntegerField(label="招聘人数", min_value=1, max_value=500)
    opened_on = forms.DateField(label="报名开始", widget=DATE)
    written_pass_mark = forms.DecimalField(label="笔试合格线", min_value=0, max_value=100, decimal_places=2, initial=60)
    written_weight = forms.DecimalField(
        label="笔试权重（0–1）", min_value=0, max_value=1, decimal_places=2, initial="0.40"
    )
    notice_days = forms.IntegerField(label="公示天数", min_value=1, max_value=60, initial=5)


class ApplicantForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label="姓名", max_length=50)
    mobile = forms.CharField(label="手机号", max_length=11)
    applied_on = forms.DateField(label="报名日期", widget=DATE)


class InterviewerForm(StyledFormMixin, forms.Form):
    usernames = forms.CharField(label="面试官账号", max_length=500, help_text="多个账号用逗号或空格分隔")


class ScoreForm(StyledFormMixin, forms.Form):
    application = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)
    score = forms.DecimalField(label="评分", min_value=0, max_value=100, decimal_places=2)


class ReviewForm(StyledFormMixin, forms.Form):
    application = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)
    eligible = forms.TypedChoiceField(
        label="审查结论", choices=[("1", "通过"), ("0", "不通过")], coerce=lambda v: v == "1"
    )
    note = forms.CharField(label="意见", max_length=200, required=False)


class WorkerForm(StyledFormMixin, forms.Form):
    username = forms.CharField(label="平台账号", max_length=150, required=False)
    pay_grade = BoundedModelChoiceField(label="薪酬等级", queryset=None, required=False, empty_label="未定")

    def __init__(self, *args: Any, grades: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pay_grade"].queryset = grades


class AssignForm(PickerFormMixin, StyledFormMixin, forms.Form):
    organisation = OrganisationChoiceField(
        label="服务工会",
        scope=PickerScope(
            perm=Perm.SOCIAL_WORKER_MANAGE,
            kinds=("enterprise", "village_joint", "community_joint", "institution", "other"),
        ),
    )
    started_on = forms.DateField(label="开始日期", widget=DATE)


class EvaluationForm(StyledFormMixin, forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    result = forms.ChoiceField(label="评价结果", choices=Evaluation.Result.choices)
    score = forms.DecimalField(label="得分", min_value=0, max_value=100, decimal_places=2, required=False)
    note = forms.CharField(label="评语", max_length=300, required=False)


class ClassForm(PickerFormMixin, StyledFormMixin, forms.Form):
    organisation = OrganisationChoiceField(
        label="主办工会", scope=PickerScope(perm=Perm.TRAINING_MANAGE, kinds=tuple(TrainingClass.ORGANISER_KINDS))
    )
    title = forms.CharField(label="培训班名称", max_length=120)
    mode = forms.ChoiceField(label="培训方式", choices=TrainingClass.Mode.choices)
    batch = forms.IntegerField(label="批次（分批轮训）", min_value=1, max_value=99, required=False)
    starts_on = forms.DateField(label="开班日期", widget=DATE)
    ends_on = forms.DateField(label="结业日期", widget=DATE)
    hours = forms.DecimalField(label="学时", min_value=0.5, max_value=2000, decimal_places=1)


class AttendanceForm(StyledFormMixin, forms.Form):
    cadre = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)
    status = forms.ChoiceField(label="状态", choices=Attendance.Status.choices)
    completed_on = forms.DateField(label="结业日期", widget=DATE, required=False)


class InviteForm(StyledFormMixin, forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    confirm = forms.BooleanField(label="我已核对名单，向以上未训干部发出邀请", required=True)
