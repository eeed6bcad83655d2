"""Shared kernel models: the user account, the security audit trail and the working-day calendar."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac


class User(AbstractUser):
    """A login. What a user may do, and over which organisations, comes from orgs.RoleAssignment."""

    display_name = models.CharField("姓名", max_length=50, blank=True)
    must_change_password = models.BooleanField("下次登录须修改密码", default=False)
    # Raised to end every session of the account at once (reset, deactivation): it is part of the
    # session hash that Django checks on each request, so old sessions stop working even if the
    # account is later re-enabled with the same password.
    session_epoch = models.PositiveIntegerField("会话代次", default=0, editable=False)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.display_name or self.username

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        key_salt = "gonghui.core.User.get_session_auth_hash"
        return salted_hmac(
            key_salt, f"{self.password}|{self.session_epoch}", secret=secret, algorithm="sha256"
        ).hexdigest()


class AuditEvent(models.Model):
    """Append-only trail of security events: logins, exports, full views of personal data, grants.

    Changes to domain data are kept by django-simple-history on each model; this table holds what
    history tables cannot: who looked at or took data out, and who got in (or failed to).
    """

    class Kind(models.TextChoices):
        LOGIN = "login", "登录成功"
        LOGIN_FAILED = "login_failed", "登录失败"
        LOCKED_OUT = "locked_out", "账号锁定"
        LOGOUT = "logout", "退出登录"
        PASSWORD_CHANGED = "password_changed", "修改密码"
        EXPORT = "export", "导出数据"
        PII_VIEW = "pii_view", "查看完整个人信息"
        ROLE_GRANTED = "role_granted", "授予角色"
        ROLE_REVOKED = "role_revoked", "撤销角色"
        USER_CHANGED = "user_changed", "账号变更"
        IMPORT = "import", "导入数据"
        LIAISON_CHANGED = "liaison_changed", "联络人变更"
        CALENDAR_CHANGED = "calendar_changed", "工作日历变更"
        FILE_REMOVED = "file_removed", "删除附件"

    at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    kind = models.CharField("类型", max_length=32, choices=Kind.choices, db_index=True)
    user = models.ForeignKey(
        "core.User", verbose_name="操作人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    username = models.CharField("账号", max_length=150, blank=True)
    ip_address = models.GenericIPAddressField("IP 地址", null=True, blank=True)
    object_type = models.CharField("对象类型", max_length=64, blank=True)
    object_id = models.CharField("对象", max_length=64, blank=True)
    summary = models.CharField("摘要", max_length=500, blank=True)
    detail = models.JSONField("详情", default=dict, blank=True)

    class Meta:
        verbose_name = "安全审计记录"
        verbose_name_plural = "安全审计记录"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()} {self.username}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("审计记录只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError("审计记录不能删除")


class CalendarDay(models.Model):
    """One day of the working calendar. A year is usable only when all its days are present.

    Seeded from the ``chinesecalendar`` package (statutory holidays and 调休 working days);
    administrators add the next year from the State Council notice when the package lags. Until
    then a year needed by a deadline is held provisionally (``core.workdays.provisional_year_fill``).
    """

    class Source(models.TextChoices):
        PACKAGE = "package", "内置节假日数据"
        MANUAL = "manual", "管理员录入"
        PROVISIONAL = "provisional", "暂定（按法定节日推算）"

    date = models.DateField("日期", primary_key=True)
    is_workday = models.BooleanField("工作日")
    name = models.CharField("说明", max_length=50, blank=True, help_text="节假日名称或“调休上班”")
    source = models.CharField("来源", max_length=16, choices=Source.choices, default=Source.PACKAGE)

    class Meta:
        verbose_name = "工作日历"
        verbose_name_plural = "工作日历"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {'工作日' if self.is_workday else '休息日'} {self.name}".strip()


class Notification(models.Model):
    """An in-platform message to one user (new assignment, deadline near, overdue, rating, approval)."""

    user = models.ForeignKey("core.User", verbose_name="接收人", on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField("类型", max_length=32, db_index=True)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    url = models.CharField("链接", max_length=300, blank=True)
    created_at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)
    # Makes a repeated reminder (e.g. "deadline tomorrow" from a cron run) idempotent.
    dedupe_key = models.CharField(max_length=120, blank=True, default="")

    class Meta:
        verbose_name = "站内通知"
        verbose_name_plural = "站内通知"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "dedupe_key"], condition=~models.Q(dedupe_key=""), name="core_notification_dedupe"
            )
        ]
        indexes = [models.Index(fields=["user", "read_at"], name="core_notif_user_unread")]

    def __str__(self) -> str:
        return self.title


class KeyRotation(models.Model):
    """One run of ``rotate_data_key`` toward a new data key, with its progress table by table.

    ``progress`` maps a model label to ``{"after": <last primary key rewritten>, "rows": n,
    "done": bool}``; each batch commits its rows and this record together, so a run stopped at any
    point resumes after the last batch that committed. ``target`` is the new key's fingerprint
    (``core.crypto.key_fingerprint``), never the key.
    """

    target = models.CharField("目标密钥指纹", max_length=16, db_index=True)
    started_at = models.DateTimeField("开始时间", default=timezone.now)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    progress = models.JSONField("进度", default=dict, blank=True)

    class Meta:
        verbose_name = "数据密钥轮换"
        verbose_name_plural = "数据密钥轮换"
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        state = "已完成" if self.finished_at else "进行中"
        return f"密钥轮换 {self.target}（{state}）"


class TaskLogContext(models.Model):
    """The request a queued background task came from, so the worker's log lines carry its
    ``request_id`` (``core.logs``). Written when the task is queued, deleted when it finishes."""

    task_id = models.CharField("任务", max_length=64, primary_key=True)
    request_id = models.CharField("请求编号", max_length=64, blank=True)
    user_id = models.BigIntegerField("用户", null=True, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "后台任务日志上下文"
        verbose_name_plural = "后台任务日志上下文"

    def __str__(self) -> str:
        return f"{self.task_id} ← {self.request_id}"
