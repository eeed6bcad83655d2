from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from core.forms import StyledFormMixin
from core.views import add_validation_errors
from members import services
from members.models import Honour, Person
from members.services import PERSON_FIELDS
from orgs.forms import OrganisationChoiceField, PickerFormMixin
from orgs.models import Organisation
from orgs.pickers import PickerScope
from orgs.roles import Perm

# The fields a person's form edits are exactly those the services accept.
PERSON_FORM_FIELDS = list(PERSON_FIELDS)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PersonForm(StyledFormMixin, forms.ModelForm):
    """Values are validated and normalised by members.services (ID check digit, phone, …)."""

    id_number = forms.CharField(label="身份证号", max_length=40, help_text="18位；性别和出生日期由号码得出")
    mobile = forms.CharField(label="手机号", max_length=30, required=False)
    phone = forms.CharField(
        label="联系电话",
        max_length=40,
        required=False,
        help_text="座机如 010-69441234（分机 010-69441234-123），或手机号",
    )
    address = forms.CharField(label="住址", max_length=200, required=False)

    class Meta:
        model = Person
        fields = PERSON_FORM_FIELDS


class PersonEditForm(PersonForm):
    """Editing a registered person: the personal-data inputs hold what the viewer may see.

    ``shown`` is what each of ``id_number``/``mobile``/``phone``/``address`` displays: masked values unless
    the view holds the full-view permission and was audited (``services.person_pii_full_view``).
    A value sent back as shown keeps the stored one; only a value typed anew replaces it.
    """

    def __init__(self, *args: Any, shown: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.shown = shown
        for key, value in shown.items():
            self.initial[key] = value  # never the decrypted instance value
            if value and "*" in value:
                self.fields[key].help_text = "已脱敏显示；不修改则保留原值，如需更改请输入完整的新值"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        try:
            self.person_data = services.person_pii_unchanged_dropped(
                data={k: cleaned[k] for k in PERSON_FORM_FIELDS if k in cleaned}, shown=self.shown
            )
        except forms.ValidationError as exc:
            add_validation_errors(self, exc)
        return cleaned

    def _post_clean(self) -> None:
        # The instance is not built from the form (the service writes the person): a masked value
        # must never be set on a model object.
        pass


GRASSROOTS = PickerScope(perm=Perm.MEMBER_CHANGE, kinds=tuple(sorted(Organisation.GRASSROOTS_KINDS)))


class RegisterForm(PickerFormMixin, PersonForm):
    organisation = OrganisationChoiceField(scope=GRASSROOTS, label="所属工会")
    joined_on = forms.DateField(label="入会日期", widget=DATE)
    member_no = forms.CharField(label="会员编号", max_length=32, required=False, help_text="留空则自动编号")

    field_order = ["organisation", "joined_on", "member_no", *PERSON_FORM_FIELDS]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["joined_on"].initial = timezone.localdate()


class TransferForm(PickerFormMixin, StyledFormMixin, forms.Form):
    to_organisation = OrganisationChoiceField(scope=GRASSROOTS, label="转入工会")
    on = forms.DateField(label="转会日期", widget=DATE)
    reason = forms.CharField(label="转会原因", max_length=200, required=False)
    member_no = forms.CharField(label="新会员编号", max_length=32, required=False, help_text="留空则自动编号")

    def __init__(self, *args: Any, person: Person, **kwargs: Any) -> None:
        self.picker_changes = {"to_organisation": {"exclude_pk": person.organisation_id}}
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = timezone.localdate()


class LeaveForm(StyledFormMixin, forms.Form):
    on = forms.DateField(label="退会日期", widget=DATE)
    reason = forms.CharField(label="退会原因", max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = timezone.localdate()


class HonourForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Honour
        fields = ["title", "level", "awarded_on", "awarded_by", "note"]
        widgets = {"awarded_on": DATE}


class ImportUploadForm(StyledFormMixin, forms.Form):
    MAX_BYTES = 60 * 1024 * 1024
    file = forms.FileField(label="会员名单文件（.xlsx 或 .csv）")

    def clean_file(self):
        f = self.cleaned_data["file"]
        name = (f.name or "").lower()
        if not name.endswith((".xlsx", ".xlsm", ".xls", ".csv")):
            raise forms.ValidationError("只支持 Excel（.xlsx）或 CSV（.csv）文件")
        if f.size > self.MAX_BYTES:
            raise forms.ValidationError("文件超过 60MB，请拆分后分别导入")
        if f.size == 0:
            raise forms.ValidationError("文件是空的")
        return f
