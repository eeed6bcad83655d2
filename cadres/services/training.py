"""Cadre training: classes, who attended and completed, and inviting those not yet trained this year."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from cadres.models import Attendance, Cadre, TrainingClass
from cadres.services.common import refuse, require
from core.notify import notify
from orgs.models import Organisation
from orgs.roles import Perm
from orgs.scope import can_at


def training_class_create(
    *,
    actor: Any,
    organisation: Organisation,
    title: str,
    mode: str,
    starts_on: date,
    ends_on: date,
    hours: Decimal,
    batch: int | None = None,
) -> TrainingClass:
    """A class organised by the district, a town/street or a zone union."""
    require(actor, Perm.TRAINING_MANAGE, organisation, f"以“{organisation.name}”名义举办培训班")
    if organisation.kind not in TrainingClass.ORGANISER_KINDS:
        refuse({"organisation": "干部培训班由区总工会、镇街工会或功能区工会举办"})
    title = (title or "").strip()
    if not title:
        refuse({"title": "请填写培训班名称"})
    if mode not in TrainingClass.Mode.values:
        refuse({"mode": "培训方式无效"})
    if ends_on < starts_on:
        refuse({"ends_on": "结业日期不能早于开班日期"})
    if (ends_on - starts_on).days > 366:
        refuse({"ends_on": "一个培训班不能超过一年"})
    if mode == TrainingClass.Mode.ROTATION and not batch:
        refuse({"batch": "分批轮训请填写批次"})
    if mode == TrainingClass.Mode.CENTRAL:
        batch = None
    if not hours.is_finite() or not Decimal("0.5") <= hours <= Decimal("2000"):
        refuse({"hours": "学时须在 0.5 到 2000 之间"})
    return TrainingClass.objects.create(
        organisation=organisation,
        title=title[:120],
        mode=mode,
        batch=batch,
        starts_on=starts_on,
        ends_on=ends_on,
        hours=hours,
        created_by=actor,
    )


def _may_place(actor: Any, training_class: TrainingClass, cadre: Cadre) -> None:
    require(actor, Perm.TRAINING_MANAGE, training_class.organisation, "管理该培训班")
    if not can_at(actor, Perm.CADRE_VIEW, cadre.organisation):
        refuse(f"“{cadre.name}”不在您的管理范围内")
    if not cadre.organisation.path.startswith(training_class.organisation.path):
        refuse(f"“{cadre.name}”所在工会不在“{training_class.organisation.name}”之下，不能参加本班")


@transaction.atomic
def attendance_record(
    *, actor: Any, training_class: TrainingClass, cadre: Cadre, status: str, completed_on: date | None = None
) -> Attendance:
    """Place a cadre on the class or change their status (报到, 结业 with its date, 缺训)."""
    _may_place(actor, training_class, cadre)
    if status not in Attendance.Status.values:
        refuse({"status": "状态无效"})
    if status == Attendance.Status.COMPLETED:
        completed_on = completed_on or training_class.ends_on
        if not training_class.starts_on <= completed_on <= training_class.ends_on:
            refuse({"completed_on": "结业日期须在培训班起止日期之内"})
        if completed_on > timezone.localdate():
            refuse({"completed_on": "结业日期不能晚于今天"})
    else:
        completed_on = None
    row, created = Attendance.objects.select_for_update().get_or_create(
        training_class=training_class,
        cadre=cadre,
        defaults={
            "organisation": cadre.organisation,
            "status": status,
            "completed_on": completed_on,
            "recorded_by": actor,
        },
    )
    if not created:
        row.status, row.completed_on, row.recorded_by = status, completed_on, actor
        row.save(update_fields=["status", "completed_on", "recorded_by"])
    return row


@transaction.atomic
def untrained_invite(*, actor: Any, training_class: TrainingClass, cadres: list[Cadre]) -> int:
    """一键邀请: put every given cadre (the not-yet-trained of a year and subtree, from
    ``selectors.coverage``) on the class as 已邀请 and notify those with an account. Idempotent: a cadre
    already on the class is left as they are, a notification is sent once per class and cadre."""
    require(actor, Perm.TRAINING_MANAGE, training_class.organisation, "管理该培训班")
    if training_class.ends_on < timezone.localdate():
        refuse("该培训班已结业，不能再邀请")
    already = set(training_class.attendances.values_list("cadre_id", flat=True))
    now = timezone.now()
    new: list[Attendance] = []
    for cadre in cadres:
        if cadre.pk in already:
            continue
        _may_place(actor, training_class, cadre)
        new.append(
            Attendance(
                training_class=training_class,
                cadre=cadre,
                organisation=cadre.organisation,
                status=Attendance.Status.INVITED,
                invited_at=now,
                recorded_by=actor,
            )
        )
    try:
        with transaction.atomic():
            Attendance.objects.bulk_create(new)
    except IntegrityError:
        refuse("名单已被他人同时修改，请刷新后重试")
    for row in new:
        if row.cadre.user_id:
            notify(
                row.cadre.user,
                kind="training_invited",
                title=f"培训邀请：{training_class.title}（{training_class.starts_on:%Y-%m-%d} 开班）",
                body=f"主办：{training_class.organisation.name}；{training_class.get_mode_display()}，{training_class.hours} 学时。",
                url=reverse("appeals:notifications"),
                dedupe_key=f"training:{training_class.pk}:{row.cadre_id}",
            )
    return len(new)
