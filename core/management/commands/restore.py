"""``manage.py restore ARCHIVE``: replace the database and uploaded files with a backup's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.backup import BackupError, check_restorable, restore_backup


class Command(BaseCommand):
    help = (
        "用备份归档替换当前数据库和上传文件。先校验：校验和、归档的数据库结构不比本版本新、当前数据密钥能解开备份数据；"
        "任何一项不通过都不会改动现有数据。恢复前请停止网站和后台任务进程。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", help="backup 命令生成的归档文件")
        parser.add_argument("--check", action="store_true", help="只校验归档，不恢复")
        parser.add_argument("--no-input", "--noinput", action="store_false", dest="interactive", help="不询问确认")
        parser.add_argument("--no-migrate", action="store_false", dest="migrate", help="恢复后不应用新增迁移")

    def handle(self, *args: Any, **options: Any) -> None:
        archive = Path(options["archive"])
        try:
            checked = check_restorable(archive)
        except BackupError as exc:
            raise CommandError(f"不能恢复：{exc}") from None
        manifest = checked.manifest
        rows = sum(manifest["row_counts"].values())
        self.stdout.write(
            f"归档有效：{manifest['created_at']} 备份，{manifest['database']} 数据库，{len(manifest['row_counts'])} 张表"
            f"共 {rows} 行，{len(manifest['files']) - 1} 个上传文件；恢复后需应用 {checked.pending_after_restore} 个迁移。"
        )
        if options["check"]:
            return
        if options["interactive"]:
            answer = input("这将覆盖当前全部数据和上传文件，且不可撤销。输入 yes 继续：")
            if answer.strip().lower() != "yes":
                raise CommandError("已取消，未做任何改动")
        try:
            restore_backup(archive, progress=lambda m: self.stdout.write(m), migrate=options["migrate"])
        except BackupError as exc:
            raise CommandError(f"恢复失败：{exc}") from None
        self.stdout.write(self.style.SUCCESS("恢复完成"))
