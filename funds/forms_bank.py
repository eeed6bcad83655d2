"""Forms of the bank pages (docs/bank.md). The services check every rule; the forms only read input."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from core.forms import StyledFormMixin
from funds.models import Programme

MAX_RESULT_BYTES = 20 * 1024 * 1024


class PayeeAccountForm(StyledFormMixin, forms.Form):
    holder_name = forms.CharField(label="户名", max_length=60)
    number = forms.CharField(label="账号", max_length=40, help_text="8 至 30 位数字，空格可保留")
    bank_name = forms.CharField(label="开户行", max_length=80)
    bank_code = forms.CharField(label="联行号", max_length=20, help_text="12 位数字")
    valid_from = forms.DateField(label="启用日期", widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label="说明", max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("valid_from", timezone.localdate())


class RejectForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label="未通过原因", max_length=200)


class BatchNewForm(StyledFormMixin, forms.Form):
    programme = forms.ModelChoiceField(label="资金项目", queryset=Programme.objects.none(), to_field_name="code")
    period = forms.CharField(label="期间", max_length=16, required=False, help_text="留空为该项目全部待付款项")
    note = forms.CharField(label="说明", max_length=200, required=False)

    def __init__(self, *args, programmes=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes if programmes is not None else Programme.objects.none()


class ResultForm(StyledFormMixin, forms.Form):
    file = forms.FileField(
        label="银行回单文件", help_text="xlsx、xls、ods 或 csv：业务参考号、金额、处理结果、失败原因"
    )

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size > MAX_RESULT_BYTES:
            raise forms.ValidationError("文件超过 20 MB")
        return f


class AccountImportForm(StyledFormMixin, forms.Form):
    file = forms.FileField(
        label="收款账户文件",
        help_text="xlsx、xls、ods 或 csv：组织编码（或身份证号、档案编号）、户名、账号、开户行、联行号、生效日期",
    )

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size > MAX_RESULT_BYTES:
            raise forms.ValidationError("文件超过 20 MB")
        return f
