"""The monthly living allowance's ledger of months (生活补助发放月份).

One row per file and calendar month the allowance has paid, written when the cycle that paid it is
approved (``assistance.plugins.allowance.MonthlyAllowance.after_payment``), in the same transaction
as the payment. The unique constraints make "each month is paid once, ever" a fact of the database:
two runs of one month, or a month paid as arrears (补发) and then run, cannot both pay it.
"""

from __future__ import annotations

from django.db import models

from assistance.models.files import HardshipFile
from core.money import MoneyField
from funds.models import Cycle, Payment, Programme
from members.models import Person
from orgs.scopespec import ScopeSpec


class AllowanceMonth(models.Model):
    file = models.ForeignKey(
        HardshipFile, verbose_name="档案", on_delete=models.PROTECT, related_name="allowance_months"
    )
    person = models.ForeignKey(Person, verbose_name="困难职工", on_delete=models.PROTECT, related_name="+")
    month = models.DateField("补助月份", help_text="该月第一天")
    amount = MoneyField("月补助标准")
    arrears = models.BooleanField("补发", default=False, help_text="在后一个月的周期中补发")
    programme = models.ForeignKey(Programme, verbose_name="项目", on_delete=models.PROTECT, related_name="+")
    cycle = models.ForeignKey(Cycle, verbose_name="发放周期", on_delete=models.PROTECT, related_name="+")
    payment = models.ForeignKey(
        Payment, verbose_name="支付记录", on_delete=models.PROTECT, related_name="allowance_months"
    )

    data_scope = ScopeSpec(paths=("file__organisation__path",), owner="file__person__user")

    class Meta:
        verbose_name = "生活补助发放月份"
        verbose_name_plural = "生活补助发放月份"
        ordering = ["-month", "file"]
        constraints = [
            models.UniqueConstraint(
                fields=["file", "month"],
                name="assistance_allowance_month_once",
                violation_error_message="该档案此月的生活补助已发放",
            ),
            # A person's later file never pays a month an earlier file already paid.
            models.UniqueConstraint(fields=["person", "month"], name="assistance_allowance_person_month_once"),
        ]
        indexes = [models.Index(fields=["month", "file"], name="assistance_allow_month_file")]

    def __str__(self) -> str:
        return f"{self.file.file_no} {self.month:%Y-%m}"
