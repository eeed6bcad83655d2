"""``manage.py backup [DEST]``: the database and the uploaded files in one checked archive."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.backup import BackupError, create_backup


class Command(BaseCommand):
    help = (
        "备份数据库（PostgreSQL 用 pg_dump 自定义格式，SQLite 用在线备份接口）和全部上传文件，生成一个带清单"
        "（版本、时间、各表行数、校验和）的归档。数据密钥不在归档中，请另行保管。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "destination", nargs="?", default=".", help="归档文件路径，或存放归档的目录（默认当前目录）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            path = create_backup(Path(options["destination"]), progress=lambda m: self.stdout.write(m))
        except (BackupError, OSError) as exc:
            raise CommandError(f"备份失败：{exc}") from None
        self.stdout.write(self.style.SUCCESS(f"备份完成：{path}"))
