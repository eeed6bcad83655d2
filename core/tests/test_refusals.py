"""A service's refusal reaches the page one way: beside its field, at the top of the form, or as a message."""

from __future__ import annotations

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory

from core.views import add_refusal_message, add_validation_errors, refusal_messages


class NameForm(forms.Form):
    name = forms.CharField(label="名称")


def bound() -> NameForm:
    form = NameForm({"name": "甲"})
    assert form.is_valid()
    return form


def test_field_errors_sit_beside_their_field_and_unknown_fields_at_the_top() -> None:
    form = bound()
    add_validation_errors(form, ValidationError({"name": "名称已被使用", "held_on": "日期不能晚于今天"}))
    assert form.errors["name"] == ["名称已被使用"]
    assert form.non_field_errors() == ["日期不能晚于今天"]


def test_plain_and_permission_refusals_go_to_the_top_of_the_form() -> None:
    form = bound()
    add_validation_errors(form, ValidationError(["请填写标题", "附件最多 5 个"]))
    add_validation_errors(form, PermissionDenied("您无权登记诉求"))
    assert form.non_field_errors() == ["请填写标题", "附件最多 5 个", "您无权登记诉求"]
    assert "name" not in form.errors


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (ValidationError("请填写原因"), ["请填写原因"]),
        (ValidationError({"a": "甲有误", "b": ["乙有误"]}), ["甲有误", "乙有误"]),
        (PermissionDenied("您无权操作"), ["您无权操作"]),
    ],
)
def test_refusal_messages(exc: Exception, expected: list[str]) -> None:
    assert refusal_messages(exc) == expected


def test_a_refused_button_shows_one_error_message() -> None:
    request = RequestFactory().post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    add_refusal_message(request, ValidationError(["尚有 2 个转办未办结", "不能反馈"]))
    shown = [(m.level_tag, m.message) for m in get_messages(request)]
    assert shown == [("error", "尚有 2 个转办未办结；不能反馈")]
