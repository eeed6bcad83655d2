"""Event forms (the page's; the services check again)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from activities import selectors
from activities.models import Activity, Registration
from core.forms import StyledFormMixin
from orgs.forms import OrganisationChoiceField, PickerFormMixin
from orgs.models import Organisation
from orgs.pickers import PickerScope
from orgs.roles import Perm

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
ORGANISER_KINDS = tuple(sorted(set(Organisation.Kind.values) - set(Organisation.PARTNER_KINDS)))


class ActivityForm(StyledFormMixin, forms.Form):
    """A grassroots union reports an activity it held (without registrations)."""

    organisation = forms.ModelChoiceField(label="举办工会", queryset=Organisation.objects.none())
    title = forms.CharField(label="活动名称", max_length=120)
    kind = forms.ChoiceField(label="活动类型", choices=Activity.Kind.choices)
    held_on = forms.DateField(label="举办日期", widget=DATE)
    participants = forms.IntegerField(label="参加人数", min_value=1, max_value=1_000_000)

    def __init__(self, *args: Any, unions: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = unions


class EventForm(PickerFormMixin, StyledFormMixin, forms.Form):
    """Organise an event: a competition, a training or a member activity."""

    organisation = OrganisationChoiceField(
        label="举办工会", scope=PickerScope(perm=Perm.ACTIVITY_MANAGE, kinds=ORGANISER_KINDS)
    )
    title = forms.CharField(label="活动名称", max_length=120)
    kind = forms.ChoiceField(label="活动类型", choices=Activity.Kind.choices, initial=Activity.Kind.COMPETITION)
    skill = forms.CharField(label="工种/项目", max_length=60, required=False, help_text="如 叉车、砌筑工、插花")
    place = forms.CharField(label="地点", max_length=120, required=False)
    held_on = forms.DateField(label="举办日期", widget=DATE)
    ends_on = forms.DateField(label="结束日期", widget=DATE, required=False)
    capacity = forms.IntegerField(label="名额", min_value=1, max_value=100_000, required=False, help_text="空为不限")
    registration_opens = forms.DateField(label="报名开始", widget=DATE, required=False)
    registration_closes = forms.DateField(label="报名截止", widget=DATE, required=False, help_text="空为举办日期当天")
    eligible_org = OrganisationChoiceField(
        label="参加范围（含下级）",
        scope=PickerScope(perm=Perm.ACTIVITY_MANAGE),
        required=False,
        help_text="空为举办工会的全部会员",
    )
    co_organisers = forms.ModelMultipleChoiceField(
        label="协办单位",
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["co_organisers"].queryset = selectors.partner_organisations()
        self.fields["co_organisers"].widget.attrs["class"] = "form-check-input me-2"  # boxes, not a text field


class ImportForm(StyledFormMixin, forms.Form):
    file = forms.FileField(label="报名表（Excel 或 CSV：姓名、身份证号）")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several files in one input (the service checks type, size and number)."""

    widget = MultipleFileInput(attrs={"accept": "image/jpeg,image/png"})

    def clean(self, data: Any, initial: Any = None) -> list:
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(PhotosField, self).clean(f, initial) for f in files]


class PhotosForm(StyledFormMixin, forms.Form):
    photos = PhotosField(label="现场照片", required=False, help_text="JPG 或 PNG，每张不超过 5 MB，每个活动最多 9 张")


class ReportForm(PhotosForm):
    participants = forms.IntegerField(
        label="参加人数", min_value=1, max_value=1_000_000, required=False, help_text="有报名记录时按到场人数计"
    )


class ReviewForm(StyledFormMixin, forms.Form):
    decision = forms.ChoiceField(label="审核结果", choices=[("approve", "通过"), ("return", "退回补正")])
    note = forms.CharField(label="审核意见", max_length=200, required=False)


class AwardForm(StyledFormMixin, forms.Form):
    awarded_on = forms.DateField(label="颁奖日期", widget=DATE)


AWARD_CHOICES = [("", "—"), *Registration.Award.choices]
