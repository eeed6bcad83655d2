"""The assessment's forms (the page's checks; the services check again)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.db.models import QuerySet

from assessment.models import AssesseeKind, IndicatorSet
from assessment.registry import all_indicators
from assessment.services import IndicatorSpec
from cadres.models import SocialWorker
from core.forms import StyledFormMixin
from core.models import User
from orgs.forms import OrganisationChoiceField, PickerFormMixin
from orgs.models import Organisation
from orgs.pickers import PickerScope
from orgs.roles import Perm

K = Organisation.Kind
RUNNING = (K.DISTRICT, K.SECTOR, K.STREET, K.TOWN, K.ZONE)
MANUAL = "manual"


def _source_choices() -> list[tuple[str, str]]:
    return [(MANUAL, "人工评分")] + [(d.key, f"自动：{d.label}") for d in all_indicators()]


class IndicatorSetForm(PickerFormMixin, StyledFormMixin, forms.Form):
    organisation = OrganisationChoiceField(
        label="考核单位", scope=PickerScope(perm=Perm.ORG_CHANGE, kinds=tuple(sorted(RUNNING)))
    )
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    assessee_kind = forms.ChoiceField(label="考核对象", choices=AssesseeKind.choices)
    name = forms.CharField(label="名称", max_length=120)
    pass_score = forms.DecimalField(label="合格分数线", min_value=0, max_value=100, decimal_places=2, initial=60)
    manual_rule = forms.ChoiceField(
        label="多人评分规则", choices=IndicatorSet.ManualRule.choices, initial=IndicatorSet.ManualRule.MEAN
    )
    grade_bands = forms.CharField(
        label="等次分档",
        widget=forms.Textarea(attrs={"rows": 4}),
        initial="90 优秀\n75 良好\n60 合格\n0 不合格",
        help_text="每行一档：分数下限 等次名称；考核社工时等次即年度评价结果，如“90 优秀 / 75 称职 / 60 基本称职 / 0 不称职”",
    )
    reviewers = forms.CharField(
        label="评分人账号", required=False, max_length=500, help_text="人工评分指标的评分人，多个账号用空格或逗号分隔"
    )

    def clean_grade_bands(self) -> list[dict[str, str]]:
        bands = []
        for i, line in enumerate(self.cleaned_data["grade_bands"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = line.split(maxsplit=1)
            if len(parts) != 2:
                raise forms.ValidationError(f"第 {i} 行应为“分数下限 等次名称”，如“90 优秀”")
            try:
                Decimal(parts[0])
            except InvalidOperation:
                raise forms.ValidationError(f"第 {i} 行的分数下限“{parts[0]}”不是数字") from None
            bands.append({"min_score": parts[0], "grade": parts[1].strip()})
        return bands

    def clean_reviewers(self) -> list[User]:
        names = [n for n in self.cleaned_data["reviewers"].replace("，", ",").replace(",", " ").split() if n]
        users = {u.username: u for u in User.objects.filter(username__in=names, is_active=True)}
        missing = [n for n in names if n not in users]
        if missing:
            raise forms.ValidationError(f"没有这些账号：{'、'.join(missing)}")
        return [users[n] for n in dict.fromkeys(names)]


class IndicatorRowForm(StyledFormMixin, forms.Form):
    source = forms.ChoiceField(label="来源", choices=(), required=False)
    label = forms.CharField(label="指标名称", max_length=80, required=False)
    weight = forms.DecimalField(label="权重", min_value=0, max_value=100, decimal_places=2, required=False)
    score_min = forms.DecimalField(label="分值下限", decimal_places=2, max_digits=7, initial=0, required=False)
    score_max = forms.DecimalField(label="分值上限", decimal_places=2, max_digits=7, initial=100, required=False)
    floor = forms.DecimalField(label="起评值", decimal_places=2, max_digits=14, required=False)
    target = forms.DecimalField(label="满分值", decimal_places=2, max_digits=14, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = _source_choices()

    def spec(self) -> IndicatorSpec | None:
        """The row as the service takes it; None for a row left empty."""
        data = self.cleaned_data
        if not data.get("label") and data.get("weight") is None:
            return None
        source = data.get("source") or MANUAL
        return IndicatorSpec(
            label=data.get("label") or "",
            weight=data.get("weight") if data.get("weight") is not None else "",
            source="manual" if source == MANUAL else "auto",
            key="" if source == MANUAL else source,
            score_min=data.get("score_min") if data.get("score_min") is not None else "0",
            score_max=data.get("score_max") if data.get("score_max") is not None else "100",
            floor=data.get("floor"),
            target=data.get("target"),
        )


IndicatorRows = forms.formset_factory(IndicatorRowForm, extra=0, min_num=8, max_num=20, absolute_max=20)


class ManualScoreForm(PickerFormMixin, StyledFormMixin, forms.Form):
    organisation = OrganisationChoiceField(label="被考核工会", scope=PickerScope(perm=Perm.ORG_VIEW))
    score = forms.DecimalField(label="评分", decimal_places=2, max_digits=7)
    evidence = forms.CharField(label="评分依据", widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)

    def __init__(self, *args: Any, kinds: tuple[str, ...], **kwargs: Any) -> None:
        self.picker_changes = {"organisation": {"kinds": kinds}}
        super().__init__(*args, **kwargs)


class WorkerScoreForm(StyledFormMixin, forms.Form):
    """A reviewer's score of one social worker (the set's assessees only)."""

    social_worker = forms.ModelChoiceField(label="被考核社工", queryset=SocialWorker.objects.none())
    score = forms.DecimalField(label="评分", decimal_places=2, max_digits=7)
    evidence = forms.CharField(label="评分依据", widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)

    def __init__(self, *args: Any, workers: QuerySet[SocialWorker], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["social_worker"]
        field.queryset = workers.select_related("organisation").order_by("organisation__path", "name", "pk")
        field.label_from_instance = lambda w: f"{w.name}（{w.organisation.name}）"
        field.error_messages["invalid_choice"] = "请选择本指标体系考核的社工"


class ReopenForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label="退回原因", max_length=200)
