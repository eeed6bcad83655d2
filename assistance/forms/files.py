"""Forms of hardship files: application (portal and union), household line, steps, standards.
The services check everything again; these forms only parse and bound the input."""

from __future__ import annotations

from typing import Any

from django import forms

from appeals.forms import MultipleFileField
from assistance.models import Cause, HardshipDocument, HardshipFile, HouseholdMember, LocalStandard
from assistance.services.files import FILE_FIELDS
from core.forms import StyledFormMixin

DOC_HELP = "收入证明、病历、低保证、残疾证等；PDF、JPG 或 PNG，每个不超过 10 MB，一份档案最多 10 个"

F = HardshipFile


def _money(label: str, **kwargs: Any) -> forms.DecimalField:
    return forms.DecimalField(label=label, max_digits=12, decimal_places=2, min_value=0, **kwargs)


class FileForm(StyledFormMixin, forms.Form):
    """The file's own fields (application and edit)."""

    category = forms.ChoiceField(
        label="困难类别",
        choices=F.Category.choices,
        help_text="深度困难：人均收入低于低保标准；相对困难：低于低保标准的倍数；意外致困：因意外、疾病、灾害致困",
    )
    # No cause chosen in advance: the officer (or worker) picks one (and no key shows as a value).
    main_cause = forms.ChoiceField(label="主要致困原因", choices=[("", "请选择"), *Cause.choices])
    secondary_causes = forms.MultipleChoiceField(
        label="次要致困原因",
        choices=Cause.choices,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
        help_text="可多选（电脑上按住 Ctrl 点选）",
    )
    health = forms.ChoiceField(label="本人健康状况", choices=F.Health.choices)
    disability = forms.ChoiceField(label="残疾等级", choices=F.Disability.choices, required=False)
    housing = forms.ChoiceField(label="住房情况", choices=F.Housing.choices)
    single_parent = forms.BooleanField(label="单亲家庭", required=False)
    zero_employment = forms.BooleanField(label="零就业家庭", required=False)
    model_worker = forms.ChoiceField(label="劳模类型", choices=F.ModelWorker.choices, required=False)
    monthly_rigid_expenses = _money("家庭月刚性支出（元）", help_text="医疗、教育等必需支出", initial=0)
    situation = forms.CharField(label="困难情况说明", widget=forms.Textarea(attrs={"rows": 4}), required=False)
    bank_name = forms.CharField(label="开户行", max_length=80, required=False)
    bank_account_holder = forms.CharField(label="户名", max_length=50, required=False)
    bank_account = forms.CharField(
        label="银行账号", max_length=40, required=False, help_text="用于发放补助，加密保存，页面上脱敏显示"
    )


class DocumentForm(StyledFormMixin, forms.Form):
    """Documents of a file (the services check type, content and size and name the file refused)."""

    document_kind = forms.ChoiceField(label="材料类别", choices=HardshipDocument.Kind.choices)
    documents = MultipleFileField(label="证明材料", help_text=DOC_HELP)


class ApplyForm(DocumentForm, FileForm):
    """The application adds the worker's own line of the household (本人) and, optionally, documents."""

    document_kind = forms.ChoiceField(
        label="材料类别", choices=HardshipDocument.Kind.choices, required=False, initial=HardshipDocument.Kind.OTHER
    )

    own_occupation = forms.ChoiceField(label="本人就业情况", choices=HouseholdMember.Occupation.choices)
    own_workplace = forms.CharField(label="本人工作单位", max_length=120, required=False)
    own_income = _money("本人月收入（元）", initial=0)
    own_insurance = forms.ChoiceField(label="本人医疗保险", choices=HouseholdMember.Insurance.choices)

    # The worker's own line first, then the file's fields in the services' order.
    field_order = [
        "own_occupation",
        "own_workplace",
        "own_income",
        "own_insurance",
        *FILE_FIELDS,
        "document_kind",
        "documents",
    ]


class OfficerApplyForm(ApplyForm):
    """An officer applies for a member found by ID number among the members of their scope."""

    member_id_number = forms.CharField(label="会员身份证号", max_length=18, help_text="在您管理范围内的在册会员")
    field_order = ["member_id_number", *ApplyForm.field_order]


class HouseholdForm(StyledFormMixin, forms.Form):
    relation = forms.ChoiceField(label="与本人关系", choices=HouseholdMember.Relation.choices[1:])
    name = forms.CharField(label="姓名", max_length=50)
    id_number = forms.CharField(label="身份证号", max_length=18)
    health = forms.ChoiceField(label="健康状况", choices=F.Health.choices)
    occupation = forms.ChoiceField(label="就业或就学", choices=HouseholdMember.Occupation.choices)
    workplace_or_school = forms.CharField(label="工作单位或学校", max_length=120, required=False)
    monthly_income = _money("月收入（元）", initial=0)
    medical_insurance = forms.ChoiceField(label="医疗保险", choices=HouseholdMember.Insurance.choices)


class StepForm(StyledFormMixin, forms.Form):
    opinion = forms.CharField(label="意见", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    on = forms.DateField(
        label="日期", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class ExitForm(StyledFormMixin, forms.Form):
    reason = forms.ChoiceField(label="脱困原因", choices=F.ExitReason.choices)
    on = forms.DateField(label="脱困日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    note = forms.CharField(label="说明", max_length=300, required=False)


class StandardForm(StyledFormMixin, forms.Form):
    standard = forms.ModelChoiceField(
        label="录入或修改",
        queryset=LocalStandard.objects.order_by("-effective_from"),
        required=False,
        empty_label="新录入一条标准",
        help_text="选择已录入的一条即按下列各项修改它（如录错金额或日期）",
    )
    effective_from = forms.DateField(
        label="生效日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    dibao_monthly = forms.DecimalField(label="低保标准（元/人·月）", max_digits=10, decimal_places=2, min_value=0)
    relative_multiple = forms.DecimalField(label="相对困难倍数", max_digits=4, decimal_places=2, min_value=1)
    note = forms.CharField(label="依据", max_length=200, required=False)
