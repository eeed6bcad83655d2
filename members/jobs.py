"""Import jobs: an upload is validated (preview) and, once confirmed, written by a background task
(django-tasks), which records its progress on the ImportJob row that the page polls.

The worker holds the job's lease (``core.leases``) while it validates or writes. A job that says
校验中/导入中 while nobody holds its lease lost its worker (killed, out of memory, the server
restarted): the page that polls it marks it 失败 with what happened, and 重新导入 runs it again.
The write is one transaction, so an interrupted write left nothing behind and the rerun starts
from a clean database; a rerun of a finished write finds every row unchanged."""

from __future__ import annotations

import json
import logging
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from core.audit import audit_log
from core.leases import job_lease, lease_held, task_results, task_results_fail
from core.models import AuditEvent
from members.importing import (
    ImportFileError,
    ImportRefused,
    Plan,
    commit_import,
    plan_import,
    read_table,
    write_error_report,
)
from members.models import ImportJob

logger = logging.getLogger(__name__)
S = ImportJob.Status


def import_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "member_imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def import_job_create(*, actor: Any, uploaded: Any) -> ImportJob:
    """Store the upload and queue its validation (the preview)."""
    suffix = Path(uploaded.name or "").suffix.lower() or ".xlsx"
    target = import_dir() / f"{uuid.uuid4().hex}{suffix}"
    with target.open("wb") as out:
        for chunk in uploaded.chunks():
            out.write(chunk)
    job = ImportJob.objects.create(
        created_by=actor, file_name=Path(uploaded.name or "upload").name[:200], stored_path=str(target)
    )
    transaction.on_commit(lambda: run_import_job.enqueue(job.pk, False))
    return job


def import_job_confirm(*, actor: Any, job: ImportJob) -> ImportJob:
    """Queue the write of a previewed job (only its owner, only from 待确认)."""
    updated = ImportJob.objects.filter(pk=job.pk, created_by=actor, status=S.PREVIEW).update(
        status=S.QUEUED, progress=0, stage="等待写入"
    )
    if updated:
        transaction.on_commit(lambda: run_import_job.enqueue(job.pk, True))
    job.refresh_from_db()
    return job


def import_job_rerun(*, actor: Any, job: ImportJob) -> ImportJob:
    """Run a failed job again (only its owner): the write, when its validation had passed, else the
    validation."""
    validated = bool(job.counts) and not job.errors
    updated = ImportJob.objects.filter(pk=job.pk, created_by=actor, status=S.FAILED).update(
        status=S.QUEUED, progress=0, stage="等待写入" if validated else "等待校验", message="", finished_at=None
    )
    if updated:
        transaction.on_commit(lambda: run_import_job.enqueue(job.pk, validated))
    job.refresh_from_db()
    return job


def _lease(job_id: int) -> str:
    return f"members.import_job:{job_id}"


INTERRUPTED = {
    S.VALIDATING: "校验中断：后台任务进程意外停止（如服务器重启），校验未完成，未写入任何数据。请点击“重新导入”再次校验",
    S.IMPORTING: "导入中断：后台任务进程意外停止（如服务器重启），写入未完成。整个导入在一个事务中进行，"
    "已写入的部分已全部撤销，会员名单没有变化。请点击“重新导入”再次写入",
}


def import_job_interruption_check(job: ImportJob) -> ImportJob:
    """A job that says it validates or writes while nobody holds its lease has lost its worker: it is
    marked failed (its django-tasks row too), with what happened and what to do."""
    if job.status not in INTERRUPTED or lease_held(_lease(job.pk)):
        return job
    with transaction.atomic():
        # only if it still says so: a worker that has just finished set its own status
        marked = ImportJob.objects.filter(pk=job.pk, status=job.status).update(
            status=S.FAILED,
            progress=100,
            stage="任务中断",
            message=INTERRUPTED[job.status],
            finished_at=timezone.now(),
        )
        if marked:
            task_results_fail(task_results(run_import_job, job.pk, job.status == S.IMPORTING))
            logger.warning("member import job %s lost its worker (status %s)", job.pk, job.status)
    job.refresh_from_db()
    return job


def _progress_path(job: ImportJob) -> Path:
    return Path(f"{job.stored_path}.progress")


def progress_file_write(job: ImportJob, pct: int, stage: str) -> None:
    path = _progress_path(job)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"progress": pct, "stage": stage}, ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)


def job_with_live_progress(job: ImportJob) -> ImportJob:
    """While a job writes, take its progress from the progress file (see import_job_run); a job whose
    worker died is shown failed."""
    job = import_job_interruption_check(job)
    if job.status == S.IMPORTING:
        try:
            data = json.loads(_progress_path(job).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return job
        job.progress = int(data.get("progress", job.progress))
        job.stage = str(data.get("stage", job.stage))[:100]
    return job


def _set(job_id: int, **fields: Any) -> None:
    ImportJob.objects.filter(pk=job_id).update(**fields)


def _finish_with_plan(job: ImportJob, plan: Plan, *, status: str, message: str) -> None:
    report = ""
    if plan.errors or plan.notices or plan.warnings:
        report = str(import_dir() / f"job-{job.pk}-report.xlsx")
        write_error_report(report, plan)
    _set(
        job.pk,
        status=status,
        progress=100,
        stage=message,
        message=message,
        total_rows=len(plan.table.rows),
        counts=plan.counts,
        errors=plan.messages("errors"),
        notices=plan.messages("notices"),
        warnings=plan.warnings,
        report_path=report,
        finished_at=timezone.now(),
    )


def import_job_run(job_id: int, commit: bool) -> str:
    with job_lease(_lease(job_id)):
        return _import_job_run(job_id, commit)


def _import_job_run(job_id: int, commit: bool) -> str:
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    actor = job.created_by
    last = [-1]

    def progress(fraction: float, stage: str) -> None:
        pct = max(0, min(99, int(fraction * 100)))
        if pct != last[0]:
            last[0] = pct
            if commit:
                # The write runs in one transaction: a progress row updated inside it would stay
                # invisible to the polling page (and SQLite admits one writer), so the write phase
                # reports through a small file beside the upload instead.
                progress_file_write(job, pct, stage)
            else:
                _set(job_id, progress=pct, stage=stage)

    _set(job_id, status=S.IMPORTING if commit else S.VALIDATING, progress=0, stage="读取文件")
    try:
        table = read_table(job.stored_path, job.file_name)
        if not commit:
            plan = plan_import(table, actor=actor, progress=progress)
            if plan.errors:
                _finish_with_plan(
                    job, plan, status=S.INVALID, message=f"{plan.error_count} 行有错误，请下载错误报告改正后重新上传"
                )
            else:
                _finish_with_plan(job, plan, status=S.PREVIEW, message="校验通过，请核对后确认导入")
            return S.INVALID if plan.errors else S.PREVIEW
        try:
            plan = commit_import(table, actor=actor, progress=progress)
        except ImportRefused as refused:
            _finish_with_plan(job, refused.plan, status=S.INVALID, message="数据已变化，出现错误，未导入任何数据")
            return S.INVALID
        counts = plan.counts
        _finish_with_plan(
            job,
            plan,
            status=S.DONE,
            message=f"导入完成：新增 {counts['new']} 人，更新 {counts['updated']} 人，无变化 {counts['unchanged']} 人",
        )
        audit_log(
            AuditEvent.Kind.IMPORT,
            user=actor,
            obj=job,
            summary=f"导入会员名单“{job.file_name}”：{counts['rows']} 行",
            detail={"job": job.pk, **counts},
        )
        return S.DONE
    except ImportFileError as exc:
        _set(job_id, status=S.INVALID, progress=100, stage=str(exc), message=str(exc)[:500], finished_at=timezone.now())
        return S.INVALID
    except Exception:
        logger.exception("member import job %s failed", job_id)
        _set(
            job_id,
            status=S.FAILED,
            progress=100,
            stage="系统错误",
            message="导入失败：系统内部错误，未写入任何数据，请联系管理员",
            finished_at=timezone.now(),
        )
        return S.FAILED


@task()
def run_import_job(job_id: int, commit: bool) -> str:
    return import_job_run(job_id, commit)
