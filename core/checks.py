"""System checks of the Gonghui project (tag ``gonghui``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.db import DatabaseError
from django.db.models import Model

from core import workdays
from core.workdays import calendar_warning

__all__ = ["calendar_warning", "check_calendar_coverage"]


@register("gonghui")
def check_calendar_coverage(app_configs: Any = None, today: date | None = None, **kwargs: Any) -> list[CheckMessage]:
    """gonghui.W001: this year, or (within 60 days of it) next year, is not entered in the calendar.

    Deadlines over a year not entered are computed provisionally (暂定) until it is. Before ``migrate``
    the table does not exist: the check then says nothing rather than crash ``migrate`` itself.
    """
    try:
        years = workdays.missing_calendar_years(today)
    except DatabaseError:  # OperationalError (SQLite) / ProgrammingError (PostgreSQL): no table yet
        return []
    if not years:
        return []
    return [
        Warning(
            workdays.calendar_pending_message(years),
            hint=(
                "运行 python manage.py seed_calendar 从内置节假日数据（chinesecalendar）导入；尚未包含的年份，"
                "请按国务院办公厅发布的放假安排在“工作日历”中录入。"
            ),
            id="gonghui.W001",
        )
    ]


@register(Tags.models)
def check_blind_index_fields(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """gonghui.E010/E011: every blind index is declared as a ``BlindIndexField`` over a real field.

    ``rotate_data_key`` rebuilds only the indexes it can find; a ``<field>_index`` kept as a plain
    column beside an encrypted ``<field>`` would keep the retiring key's values and stop matching.
    """
    from django.apps import apps

    return blind_index_problems(apps.get_models())


def blind_index_problems(models: Iterable[type[Model]]) -> list[CheckMessage]:
    from core.crypto import BlindIndexField, EncryptedTextField

    errors: list[CheckMessage] = []
    for model in models:
        fields = {f.name: f for f in model._meta.concrete_fields}
        for name, f in fields.items():
            if isinstance(f, EncryptedTextField):
                index = fields.get(f"{name}_index")
                if index is not None and not isinstance(index, BlindIndexField):
                    errors.append(
                        Error(
                            f"{model._meta.label}.{index.name} 是加密字段 {name} 的盲索引，但不是 BlindIndexField",
                            hint=f"声明为 core.crypto.BlindIndexField(source='{name}', purpose=...)，密钥轮换才能重建它",
                            obj=index,
                            id="gonghui.E010",
                        )
                    )
            if isinstance(f, BlindIndexField) and f.source not in fields:
                errors.append(
                    Error(
                        f"{model._meta.label}.{name} 的 source='{f.source}' 不是本模型的字段",
                        obj=f,
                        id="gonghui.E011",
                    )
                )
    return errors
