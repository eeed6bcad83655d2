from __future__ import annotations

from typing import Any

from django import forms

from appeals.models import Appeal, Category
from core.forms import StyledFormMixin
from orgs.forms import OrganisationChoiceField, PickerFormMixin
from orgs.models import Organisation
from orgs.pickers import PickerScope
from orgs.roles import Perm


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list:
        if not data:
            return []
        files = data if isinstance(data, (list, tuple)) else [data]
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


ATTACH_HELP = "可上传图片、PDF、Word、Excel，最多 5 个，每个不超过 10 MB"


class PortalAppealForm(StyledFormMixin, forms.Form):
    category = forms.ModelChoiceField(Category.objects.all(), label="诉求类别", empty_label="请选择")
    title = forms.CharField(label="一句话说明", max_length=100)
    description = forms.CharField(label="详细情况", widget=forms.Textarea(attrs={"rows": 5}))
    preferred_contact = forms.ChoiceField(label="希望的联系方式", choices=Appeal.Contact.choices)
    contact_phone = forms.CharField(label="联系电话", max_length=20, required=False)
    attachments = MultipleFileField(label="附件", help_text=ATTACH_HELP)


class OfficerAppealForm(PickerFormMixin, PortalAppealForm):
    organisation = OrganisationChoiceField(label="所属工会", scope=PickerScope(perm=Perm.APPEAL_HANDLE))
    channel = forms.ChoiceField(
        label="来源渠道", choices=[c for c in Appeal.Channel.choices if c[0] != Appeal.Channel.PORTAL]
    )
    reporter_name = forms.CharField(label="反映人姓名", max_length=50, required=False)
    anonymous = forms.BooleanField(label="匿名反映", required=False)
    third_party = forms.BooleanField(label="代他人反映（第三方）", required=False)

    field_order = [
        "organisation",
        "channel",
        "category",
        "title",
        "description",
        "reporter_name",
        "anonymous",
        "third_party",
        "contact_phone",
        "preferred_contact",
        "attachments",
    ]


class NoteForm(StyledFormMixin, forms.Form):
    note = forms.CharField(label="沟通内容", widget=forms.Textarea(attrs={"rows": 3}))


class InternalNoteForm(NoteForm):
    public = forms.BooleanField(label="职工可见", required=False, initial=True)


class ReferForm(StyledFormMixin, forms.Form):
    lead = forms.ModelChoiceField(
        Organisation.objects.none(), label="主办单位", required=False, empty_label="（本轮已有主办单位）"
    )
    co_handlers = forms.ModelMultipleChoiceField(Organisation.objects.none(), label="协办单位", required=False)
    deadline = forms.DateField(label="办理时限", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    instructions = forms.CharField(label="转办说明", max_length=500, required=False)

    def __init__(self, *args: Any, handlers: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if handlers is not None:
            self.fields["lead"].queryset = handlers
            self.fields["co_handlers"].queryset = handlers
        self.fields["lead"].label_from_instance = lambda o: f"{o.name}（{o.get_kind_display()}）"
        self.fields["co_handlers"].label_from_instance = lambda o: f"{o.name}（{o.get_kind_display()}）"


class ResultForm(StyledFormMixin, forms.Form):
    result = forms.CharField(label="办理情况", widget=forms.Textarea(attrs={"rows": 3}))


class FeedbackForm(StyledFormMixin, forms.Form):
    result = forms.CharField(label="告知职工的办理结果", widget=forms.Textarea(attrs={"rows": 3}))
    resolved = forms.BooleanField(label="问题已解决", required=False, initial=True)


class RateForm(StyledFormMixin, forms.Form):
    rating = forms.ChoiceField(label="评价", choices=Appeal.Rating.choices, widget=forms.RadioSelect)
    comment = forms.CharField(
        label="意见（不满意时必填）", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReasonForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label="原因", max_length=300)


class AttachForm(StyledFormMixin, forms.Form):
    attachments = MultipleFileField(label="附件", help_text=ATTACH_HELP, required=True)


class LiaisonAssignForm(PickerFormMixin, StyledFormMixin, forms.Form):
    organisation = OrganisationChoiceField(
        label="基层工会",
        scope=PickerScope(perm=Perm.LIAISON_MANAGE, kinds=tuple(sorted(Organisation.GRASSROOTS_KINDS))),
    )
    liaison = forms.CharField(label="联络人账号", max_length=150)
    started_on = forms.DateField(label="开始日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label="备注", max_length=200, required=False)


class AnchorForm(PickerFormMixin, StyledFormMixin, forms.Form):
    """Which organisation a summary page (liaison coverage) is about: picked, never typed."""

    org = OrganisationChoiceField(
        label="组织",
        scope=PickerScope(perm=Perm.APPEAL_OFFICE, active_only=False),
        to_field_name="code",
        required=False,
        options=False,  # the page is about one organisation at a time: search or browse for another
    )
