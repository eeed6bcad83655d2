"""Uploaded documents (证明材料), shared by hardship files and relief and scholarship applications.

Abstract: each owner has its own concrete table (its own foreign key, scope and history) with the
same columns; ``owner_field`` names the foreign key so one service saves every kind
(``assistance.services.documents``). The files are served only through the owner's scoped, audited
download view, never from a public URL.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models


class DocumentBase(models.Model):
    """An uploaded document (诊断证明、费用清单、录取通知书、收入证明…)."""

    owner_field: ClassVar[str] = "application"

    file = models.FileField("文件")
    name = models.CharField("文件名", max_length=200)
    size = models.PositiveIntegerField("大小（字节）", default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name
