"""Data the organisation programmes keep beside the engine: the tax bureau's dues file and grant usage."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.money import MoneyField
from funds.models import Payment
from orgs.models import Organisation
from orgs.scopespec import ScopeSpec


class DuesImport(models.Model):
    """One upload of the tax bureau's yearly file (all rows or none)."""

    year = models.PositiveSmallIntegerField("年度")
    filename = models.CharField("文件名", max_length=200)
    rows = models.PositiveIntegerField("行数")
    matched = models.PositiveIntegerField("已匹配")
    unmatched = models.PositiveIntegerField("未匹配")
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="导入人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField("导入时间", auto_now_add=True)
    organisation = models.ForeignKey(Organisation, verbose_name="导入单位", on_delete=models.PROTECT, related_name="+")

    data_scope = ScopeSpec(paths=("organisation__path",))

    class Meta:
        verbose_name = "税务代收经费导入"
        verbose_name_plural = "税务代收经费导入"
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return f"{self.year} 年 {self.filename}"


class DuesRecord(models.Model):
    """Union dues the tax bureau collected from one enterprise in one year."""

    credit_code = models.CharField("统一社会信用代码", max_length=18)
    name = models.CharField("单位名称", max_length=200)
    year = models.PositiveSmallIntegerField("年度")
    payroll_base = MoneyField("工资总额")
    dues_paid = MoneyField("已缴工会经费")
    organisation = models.ForeignKey(
        Organisation, verbose_name="匹配工会", null=True, blank=True, on_delete=models.PROTECT, related_name="dues"
    )
    batch = models.ForeignKey(DuesImport, verbose_name="导入批次", on_delete=models.PROTECT, related_name="records")

    data_scope = ScopeSpec(paths=("organisation__path", "batch__organisation__path"))

    class Meta:
        verbose_name = "税务代收经费"
        verbose_name_plural = "税务代收经费"
        ordering = ["year", "credit_code"]
        constraints = [
            models.UniqueConstraint(fields=["credit_code", "year"], name="programmes_dues_one_per_year"),
            models.CheckConstraint(
                condition=Q(payroll_base__gte=0) & Q(dues_paid__gte=0), name="programmes_dues_nonneg"
            ),
        ]
        indexes = [models.Index(fields=["organisation", "year"], name="programmes_dues_org_year")]

    def __str__(self) -> str:
        return f"{self.credit_code} {self.year}"


class GrantUsage(models.Model):
    """What a granted union spent its start-up grant on."""

    payment = models.ForeignKey(Payment, verbose_name="拨付记录", on_delete=models.PROTECT, related_name="usages")
    spent_on = models.DateField("支出日期")
    amount = MoneyField("金额")
    purpose = models.CharField("用途", max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    data_scope = ScopeSpec(paths=("payment__beneficiary_org__path",))

    class Meta:
        verbose_name = "启动经费使用"
        verbose_name_plural = "启动经费使用"
        ordering = ["-spent_on", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="programmes_usage_positive")]

    def __str__(self) -> str:
        return f"{self.purpose} {self.amount}"
