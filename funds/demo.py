"""Demo step (after the programmes and the assistance payments): money reaching the bank.

Every payee of an approved payment gets a bank account, imported and verified by the district
(a person's with their hardship file, from the account on the file where there is one), except the
two most recent start-up grant unions, which are left without one (the 无账户 page has rows). The
joint-union subsidy's payments go to the bank in one batch, sent; the bank's answer pays all but one,
returned with 户名与账号不符 — on the finance workbench, to correct and pay again.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from core.models import User
from core.system import system_actor
from funds import bank
from funds.models import BankBatch, PayeeAccount, Payment

RETURN_REASON = "户名与账号不符"


def _number(key: str) -> str:
    kind, pk = key.split(":")
    return f"{'6222' if kind == 'org' else '6217'}0202{int(pk):011d}"


def build(options: dict[str, Any]) -> str:
    if BankBatch.objects.exists():
        return "银行批次：演示数据已存在"
    admin, caiwu = User.objects.get(username="admin"), User.objects.get(username="caiwu")
    payments = list(
        Payment.objects.filter(status=Payment.Status.APPROVED)
        .select_related("programme", "beneficiary_org", "beneficiary_person")
        .order_by("pk")
    )
    startup = [p for p in payments if p.programme.plugin_key == "startup_grant"]
    skipped = {p.beneficiary_key for p in startup[-2:]}
    seen: set[str] = set()
    system = system_actor()
    for p in payments:
        if p.beneficiary_key in seen or p.beneficiary_key in skipped:
            continue
        seen.add(p.beneficiary_key)
        if p.beneficiary_org_id:
            owner: dict[str, Any] = {"organisation": p.beneficiary_org}
            holder, number, bank_name = p.beneficiary_org.name, _number(p.beneficiary_key), "北京农商银行顺义支行"
        else:
            file = p.beneficiary_person.hardship_files.order_by("-pk").first()
            if file is None:
                continue
            owner = {"file": file}
            holder = file.bank_account_holder or p.beneficiary_person.name
            number = file.bank_account or _number(p.beneficiary_key)
            bank_name = file.bank_name or "中国邮政储蓄银行顺义支行"
        account = bank.payee_account_enter(
            actor=system,
            holder_name=holder,
            number=number,
            bank_name=bank_name,
            bank_code="402100000018",
            valid_from=date(2026, 1, 1),
            source=PayeeAccount.Source.IMPORTED,
            note="演示：由区总工会批量导入",
            **owner,
        )
        bank.payee_account_verify(actor=admin, account=account)
    joint = Payment.objects.filter(status=Payment.Status.APPROVED, programme__plugin_key="joint_union_subsidy")
    if not joint.exists():
        return f"银行批次：{len(seen)} 个收款账户已核验，无联合工会补贴待付款项"
    batch = bank.batch_create(actor=caiwu, payments=joint, note="三补贴三挂钩 2026-Q3")
    bank.batch_send(actor=caiwu, batch=batch)
    lines = list(batch.lines.order_by("seq").values_list("reference", "amount"))
    rows = ["业务参考号,金额,处理结果,失败原因"] + [
        f"{ref},{amount},{'失败' if n == len(lines) - 1 else '成功'},{RETURN_REASON if n == len(lines) - 1 else ''}"
        for n, (ref, amount) in enumerate(lines)
    ]
    report = bank.result_import(
        actor=caiwu, batch=batch, content="\n".join(rows).encode(), filename="银行回单.csv", on=date(2026, 10, 12)
    )
    return (
        f"银行批次：{len(seen)} 个收款账户已核验（{len(skipped)} 个新建工会尚无账户）；批次 {batch.number} "
        f"{batch.count} 笔已发送，银行成功 {report.confirmed} 笔、退回 {report.returned} 笔（{RETURN_REASON}）"
    )
