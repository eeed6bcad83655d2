from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm

from core.forms import StyledFormMixin
from orgs.forms import OrganisationChoiceField, PickerFormMixin
from orgs.pickers import PickerScope
from orgs.roles import Perm, ScopeMode


class LoginForm(StyledFormMixin, AuthenticationForm):
    error_messages = {
        "invalid_login": "用户名或密码错误。连续失败 5 次，账号将被锁定 30 分钟。",
        "inactive": "该账号已停用，请联系管理员。",
    }


class ChangePasswordForm(StyledFormMixin, PasswordChangeForm):
    pass


class GrantForm(PickerFormMixin, StyledFormMixin, forms.Form):
    role = forms.ChoiceField(label="角色")
    organisation = OrganisationChoiceField(
        label="组织", scope=PickerScope(perm=Perm.USER_MANAGE), help_text="角色作用的组织；默认包含其全部下级"
    )
    scope = forms.ChoiceField(label="数据范围", choices=ScopeMode.choices, initial=ScopeMode.SUBTREE)

    def __init__(self, *args, roles: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = roles


class UserCreateForm(GrantForm):
    username = forms.CharField(label="用户名", max_length=150)
    display_name = forms.CharField(label="姓名", max_length=50)
    password = forms.CharField(
        label="初始密码",
        widget=forms.PasswordInput,
        help_text="至少 8 位，含大写、小写、数字、符号中的三类；首次登录须修改",
    )

    field_order = ["username", "display_name", "password", "role", "organisation", "scope"]


class PasswordResetForm(StyledFormMixin, forms.Form):
    password = forms.CharField(label="新密码", widget=forms.PasswordInput)


class CalendarYearForm(StyledFormMixin, forms.Form):
    year = forms.IntegerField(label="年份", min_value=2000, max_value=2100)
    holidays = forms.CharField(
        label="放假安排",
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="每行一段：起始日期 截止日期 名称，例如：2027-01-01 2027-01-01 元旦",
    )
    workdays = forms.CharField(
        label="调休上班日",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="每行一个日期，例如：2027-02-07",
    )
