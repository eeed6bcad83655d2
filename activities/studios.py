"""职工创新工作室 and 劳模工作室: a studio of a union, led by a member (ideally a 劳模 or 工匠), with its
plaque date (授牌) and level, and one row of output per year (innovations, trainees, patents).

Models only; changes go through ``activities.studios_services``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from members.models import Honour, Person
from orgs.models import Organisation
from orgs.scopespec import ScopeSpec


class Studio(models.Model):
    class Kind(models.TextChoices):
        INNOVATION = "innovation", "职工创新工作室"
        MODEL_WORKER = "model_worker", "劳模工作室"

    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    name = models.CharField("工作室名称", max_length=100)
    union = models.ForeignKey(Organisation, verbose_name="所属工会", on_delete=models.PROTECT, related_name="studios")
    leader = models.ForeignKey(Person, verbose_name="领办人", on_delete=models.PROTECT, related_name="studios")
    level = models.CharField("级别", max_length=12, choices=Honour.Level.choices)
    plaque_on = models.DateField("授牌日期")
    field = models.CharField("专业领域", max_length=60, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    data_scope = ScopeSpec(paths=("union__path",))

    class Meta:
        verbose_name = "工作室"
        verbose_name_plural = "工作室"
        constraints = [models.UniqueConstraint(fields=["union", "name"], name="activities_studio_name_per_union")]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_kind_display()}）"


class StudioOutput(models.Model):
    """One year's output of a studio."""

    studio = models.ForeignKey(Studio, verbose_name="工作室", on_delete=models.CASCADE, related_name="outputs")
    year = models.PositiveSmallIntegerField("年度")
    innovations = models.PositiveIntegerField("创新成果（项）", default=0)
    trainees = models.PositiveIntegerField("培训带徒（人）", default=0)
    patents = models.PositiveIntegerField("专利（项）", default=0)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="填报人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("填报时间", auto_now=True)

    data_scope = ScopeSpec(paths=("studio__union__path",))

    class Meta:
        verbose_name = "工作室年度成果"
        verbose_name_plural = "工作室年度成果"
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["studio", "year"], name="activities_studio_one_output_a_year")]

    def __str__(self) -> str:
        return f"{self.studio} · {self.year}"
