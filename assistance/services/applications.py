"""What the relief and scholarship services share: numbers, steps, who may act, the programme (their
documents: ``assistance.services.documents``, shared with the hardship file)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils import timezone

from funds.models import ParameterVersion, Programme
from orgs.models import Organisation
from orgs.roles import Perm
from orgs.scope import can_at


def next_number(model: type[models.Model], prefix: str, year: int) -> str:
    """ "DB2026-0007": the year's next number (the unique constraint stands behind a race)."""
    start = f"{prefix}{year:04d}-"
    last = model.objects.filter(number__startswith=start).order_by("-number").values_list("number", flat=True).first()
    seq = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{start}{seq:04d}"


def step_log(
    model: type[models.Model],
    application: Any,
    *,
    kind: str,
    from_state: str,
    actor: Any,
    organisation: Organisation | None,
    opinion: str = "",
) -> None:
    model.objects.create(
        application=application,
        kind=kind,
        from_state=from_state,
        to_state=application.state,
        actor=actor,
        acting_organisation=organisation,
        opinion=opinion,
    )


def opinion_required(opinion: str, what: str) -> str:
    opinion = (opinion or "").strip()
    if not opinion:
        raise ValidationError({"opinion": f"请填写{what}意见"})
    return opinion[:2000]


def require_process(actor: Any, organisation: Organisation, what: str) -> None:
    if actor is None or not can_at(actor, Perm.ASSISTANCE_PROCESS, organisation):
        raise PermissionDenied(f"您没有在“{organisation.name}”{what}的权限")


def may_apply_for(actor: Any, person: Any) -> bool:
    """A worker for themself (own records), or an officer holding assistance.apply over their union."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    if person.user_id is not None and person.user_id == actor.pk:
        return True
    return person.organisation is not None and can_at(actor, Perm.ASSISTANCE_APPLY, person.organisation)


def programme_of(plugin_key: str, label: str) -> Programme:
    programme = Programme.objects.filter(plugin_key=plugin_key, active=True).select_related("fund").first()
    if programme is None:
        raise ValidationError(f"尚未设置“{label}”资金项目，请联系帮扶中心")
    return programme


def params_on(programme: Programme, on: date) -> ParameterVersion:
    version = programme.versions.filter(effective_from__lte=on).order_by("-effective_from").first()
    if version is None:
        raise ValidationError(f"“{programme.name}”在 {on:%Y-%m-%d} 没有生效的参数")
    return version


def today() -> date:
    return timezone.localdate()


def check_date(value: Any, label: str, *, not_future: bool = True, field: str = "") -> date:
    if not isinstance(value, date):
        raise ValidationError({field or "date": f"“{label}”应为日期，如 2026-03-01"})
    if value.year < 2000:
        raise ValidationError({field or "date": f"“{label}”年份无效：{value.year}"})
    if not_future and value > today():
        raise ValidationError({field or "date": f"“{label}”不能晚于今天"})
    return value


def state_refused(application: Any, what: str) -> ValidationError:
    return ValidationError(f"申请 {application.number} 当前状态为“{application.get_state_display()}”，不能{what}")


def verify_locked(application: Any, *, actor: Any, opinion: str, step_model: type[models.Model], noun: str) -> Any:
    """核实 at the union: ``application`` is already locked by the caller's transaction."""
    from assistance.models.applications import ApplicationState, StepKind

    require_process(actor, application.organisation, f"核实{noun}")
    if application.state != ApplicationState.APPLIED:
        raise state_refused(application, "核实")
    if application.person.user_id == actor.pk:
        raise PermissionDenied("不能核实本人的申请")
    opinion = opinion_required(opinion, "核实")
    application.verify()
    application.verified_by = actor
    application.save()
    step_log(
        step_model,
        application,
        kind=StepKind.VERIFY,
        from_state=ApplicationState.APPLIED,
        actor=actor,
        organisation=application.organisation,
        opinion=opinion,
    )
    return application


def approve_check(application: Any, *, actor: Any, district: Organisation, noun: str) -> None:
    """Who may approve for the district, in which state, with four eyes."""
    from assistance.models.applications import ApplicationState

    require_process(actor, district, f"审批{noun}")
    if application.state != ApplicationState.VERIFIED:
        raise state_refused(application, "审批")
    if actor.pk in (application.verified_by_id, application.applied_by_id, application.person.user_id):
        raise PermissionDenied("审批人不能是申请人、录入人或核实人")


def reject_locked(
    application: Any, *, actor: Any, opinion: str, step_model: type[models.Model], district: Any, noun: str
) -> Any:
    """不予通过 at the level of the current step (``district``: a callable giving the district)."""
    from assistance.models.applications import ApplicationState, StepKind

    if application.state == ApplicationState.APPLIED:
        level = application.organisation
    elif application.state == ApplicationState.VERIFIED:
        level = district()
    else:
        raise state_refused(application, "退回")
    require_process(actor, level, f"办理{noun}")
    opinion = opinion_required(opinion, "不予通过的")
    before = application.state
    application.reject()
    application.save()
    step_log(
        step_model,
        application,
        kind=StepKind.REJECT,
        from_state=before,
        actor=actor,
        organisation=level,
        opinion=opinion,
    )
    return application
