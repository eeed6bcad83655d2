"""Background work of the funds app (django-tasks: a database worker in production, immediate in
tests). Computing a cycle lives here, beside its task; ``funds.services`` enqueues it (and imports
this module, never the other way round).

The worker holds the cycle's lease (``core.leases``) while it computes. A cycle still 计算中 whose
task was claimed by a worker that no longer holds the lease lost that worker (killed, the server
restarted): the cycle page marks it 计算失败 with what happened, clears the entitlements written so
far, and offers 重新计算. Computing pays nothing, so an interruption never touches the ledger."""

from __future__ import annotations

import json
import logging
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from core.leases import CLAIM_GRACE, job_lease, lease_held, task_results, task_results_fail
from core.money import to_fen, to_yuan
from funds.engine import ParameterHistory, get_plugin, span_of
from funds.models import ZERO, Cycle, Entitlement, ParameterVersion, Payment, Programme
from members.bulk import insert_rows
from orgs.models import Organisation

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 2000  # entitlements written, and the progress saved, per batch


def _parameter_history(programme: Programme, plugin: Any) -> ParameterHistory:
    """The programme's parameter versions, validated, as "what was in force on this date"."""
    versions = [
        (v.effective_from, plugin.validate_parameters(v.params))
        for v in ParameterVersion.objects.filter(programme=programme).order_by("-effective_from")
    ]

    def in_force(on: date) -> tuple[date, dict[str, Any]] | None:
        return next(((start, params) for start, params in versions if start <= on), None)

    return in_force


def _key_of(beneficiary: Any) -> tuple[str, dict[str, Any]]:
    if isinstance(beneficiary, Organisation):
        return f"org:{beneficiary.pk}", {"beneficiary_org_id": beneficiary.pk}
    return f"person:{beneficiary.pk}", {"beneficiary_person_id": beneficiary.pk}


# The columns an entitlement is written with (the rest — adjustment, approval — start empty).
ENTITLEMENT_COLUMNS = (
    "cycle_id",
    "beneficiary_key",
    "beneficiary_org_id",
    "beneficiary_person_id",
    "beneficiary_name",
    "amount",
    "explanation",
    "inputs",
    "adjust_reason",
)
INPUTS_ENCODER = Entitlement._meta.get_field("inputs").encoder


def _entitlements_insert(rows: list[tuple[Any, ...]]) -> None:
    """Write a batch of entitlements as prepared tuples (amounts in fen, inputs as JSON text):
    ``executemany`` on SQLite, ``COPY`` on PostgreSQL. ``bulk_create`` prepared every value of every
    instance in Python (about half of a large cycle's compute); the database's constraints still
    check every row."""
    if rows:
        with transaction.atomic():  # one transaction a batch (SQLite would otherwise commit each row)
            insert_rows(Entitlement, ENTITLEMENT_COLUMNS, rows)


def _lease(cycle_id: int) -> str:
    return f"funds.cycle_compute:{cycle_id}"


INTERRUPTED = (
    "计算中断，后台任务进程意外停止（如服务器重启）：计算未完成，未支付任何款项，已写入的部分应发明细已清除。"
    "请点击“重新计算”"
)


def cycle_compute_interruption_check(cycle: Cycle) -> Cycle:
    """A cycle 计算中 whose worker died is marked 计算失败 (its django-tasks row too), with what
    happened; a task queued again for it since (a recompute) keeps it computing."""
    if cycle.state != Cycle.State.COMPUTING:
        return cycle
    lost = task_results(cycle_compute_task, cycle.pk, claimed_before=timezone.now() - CLAIM_GRACE)
    if not lost or lease_held(_lease(cycle.pk)):
        return cycle
    queued = task_results(cycle_compute_task, cycle.pk, status="READY")
    with transaction.atomic():
        task_results_fail(lost)
        locked = Cycle.objects.select_for_update().get(pk=cycle.pk)
        if locked.state == Cycle.State.COMPUTING and not queued:
            Entitlement.objects.filter(cycle=locked).delete()
            locked.error = INTERRUPTED
            locked.fail()
            locked.save()
            logger.warning("cycle %s lost its compute worker", cycle.pk)
    cycle.refresh_from_db()
    return cycle


def cycle_compute_run(cycle_id: int) -> None:
    """What the worker runs for a computing cycle (the demo loader and tests call it directly): eligibility
    and formula from the plug-in, entitlements written in batches with the progress saved on the cycle."""
    with job_lease(_lease(cycle_id)):
        _cycle_compute_run(cycle_id)


def _cycle_compute_run(cycle_id: int) -> None:
    cycle = Cycle.objects.select_related("programme", "version").get(pk=cycle_id)
    if cycle.state != Cycle.State.COMPUTING:
        return
    try:
        plugin = get_plugin(cycle.programme.plugin_key)
        params = plugin.validate_parameters(cycle.version.params)
        period = span_of(cycle)
        extra = {}
        if getattr(plugin, "uses_parameter_history", False):
            extra["history"] = _parameter_history(cycle.programme, plugin)
        beneficiaries = list(plugin.eligible(period, params, **extra))
        Cycle.objects.filter(pk=cycle.pk).update(progress_total=len(beneficiaries), progress_done=0, error="")
        paid = set(
            Payment.objects.filter(programme=cycle.programme, period_key=cycle.period_key).values_list(
                "beneficiary_key", flat=True
            )
        )
        with transaction.atomic():
            Entitlement.objects.filter(cycle=cycle).delete()
        total, count, batch = ZERO, 0, []
        for i, b in enumerate(beneficiaries, start=1):
            key, fk = _key_of(b)
            if key in paid:
                continue
            amount, explanation, inputs = plugin.compute(b, period, params)
            amount = to_yuan(amount)
            batch.append(
                (
                    cycle.pk,
                    key,
                    fk.get("beneficiary_org_id"),
                    fk.get("beneficiary_person_id"),
                    str(b)[:120],
                    to_fen(amount),
                    explanation,
                    json.dumps(inputs, cls=INPUTS_ENCODER),
                    "",
                )
            )
            total += amount
            count += 1
            if len(batch) >= PROGRESS_EVERY:
                _entitlements_insert(batch)
                batch = []
                Cycle.objects.filter(pk=cycle.pk).update(progress_done=i)
        _entitlements_insert(batch)
        cycle.refresh_from_db()
        cycle.total = total
        cycle.beneficiaries = count
        cycle.progress_done = cycle.progress_total
        cycle.computed_at = timezone.now()
        cycle.finish_compute()
        cycle.save()
    except Exception as exc:  # the cycle shows what went wrong; nothing was paid
        logger.exception("cycle %s compute failed", cycle_id)
        message = "；".join(exc.messages) if isinstance(exc, ValidationError) else f"{type(exc).__name__}: {exc}"
        cycle.refresh_from_db()
        cycle.error = message[:2000]
        cycle.fail()
        cycle.save()


@task()
def cycle_compute_task(cycle_id: int) -> None:
    cycle_compute_run(cycle_id)
