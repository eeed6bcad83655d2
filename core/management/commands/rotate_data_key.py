"""``manage.py rotate_data_key``: re-encrypt every personal-data value under the new data key."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.keyrotation import DEFAULT_BATCH, RotationError, rotate, rotation_status, rotation_targets


class Command(BaseCommand):
    help = (
        "把全部加密字段（身份证号、电话、住址、银行账号……）用 GONGHUI_DATA_KEY 重新加密，并重建盲索引。"
        "旧密钥放在 GONGHUI_DATA_KEYS_OLD 中，轮换完成前仍用于读取；分批提交，中断后再次运行即从断点继续。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH, help=f"每批行数（默认 {DEFAULT_BATCH}）")
        parser.add_argument("--max-batches", type=int, default=None, help="最多处理这么多批后停止（再次运行继续）")
        parser.add_argument("--status", action="store_true", help="只显示最近一次轮换的进度")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["status"]:
            self._status()
            return
        targets = rotation_targets()
        self.stdout.write("需要轮换的表：" + "、".join(f"{t.label}（{', '.join(t.fields)}）" for t in targets))

        def progress(label: str, rows: int) -> None:
            self.stdout.write(f"  {label}: 已重写 {rows} 行")

        try:
            report = rotate(batch_size=options["batch_size"], max_batches=options["max_batches"], progress=progress)
        except RotationError as exc:
            raise CommandError(str(exc)) from None
        if report.finished:
            self.stdout.write(
                self.style.SUCCESS(
                    f"轮换完成（新密钥指纹 {report.rotation.target}）：所有数据均已用新密钥加密。"
                    "现在可以从配置中删除 GONGHUI_DATA_KEYS_OLD 并重启网站和后台任务进程。"
                )
            )
        elif report.stale:
            listed = "、".join(f"{name} {n} 个" for name, n in report.stale.items())
            raise CommandError(
                f"仍有数据不是用新密钥加密的：{listed}。请确认所有网站和后台任务进程都已使用新的 GONGHUI_DATA_KEY，"
                "然后再次运行本命令"
            )
        else:
            self.stdout.write("已达到 --max-batches，暂停；再次运行本命令从断点继续。")

    def _status(self) -> None:
        status = rotation_status()
        if not status:
            self.stdout.write("尚未进行过密钥轮换。")
            return
        state = f"完成于 {status['finished_at']:%Y-%m-%d %H:%M}" if status["finished_at"] else "进行中（未完成）"
        self.stdout.write(
            f"最近一次轮换：目标密钥指纹 {status['target']}，开始于 {status['started_at']:%Y-%m-%d %H:%M}，{state}"
        )
        self.stdout.write(f"当前 GONGHUI_DATA_KEY 指纹：{status['current_key']}")
        for label, table in sorted(status["progress"].items()):
            self.stdout.write(f"  {label}: {table['rows']} 行{'，已完成' if table['done'] else ''}")
