"""What the dashboard keeps: the officers' edited work-report templates (the figures are never stored:
a draft keeps the wording and its placeholders, the numbers are computed when it is shown)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from core.money import MoneyField
from orgs.models import Organisation
from orgs.scopespec import ScopeSpec


class ReportDraft(models.Model):
    organisation = models.ForeignKey(
        Organisation, verbose_name="组织", on_delete=models.PROTECT, related_name="report_drafts"
    )
    start = models.DateField("起始日期")
    end = models.DateField("截止日期")
    template = models.TextField("简报模板")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="修改人", on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    data_scope = ScopeSpec(paths=("organisation__path",))

    class Meta:
        verbose_name = "工作简报草稿"
        verbose_name_plural = "工作简报草稿"
        constraints = [
            models.UniqueConstraint(fields=["organisation", "start", "end"], name="dashboard_draft_once"),
            models.CheckConstraint(condition=Q(start__lte=F("end")), name="dashboard_draft_dates"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.start}–{self.end}"


# --- the precomputed tallies (dashboard/tallies.py): kept by database triggers, never by hand --------
#
# A tally's ``bucket`` is the id of the district or town/street (depth 1 or 2) the counted row lies
# under (0: under no organisation). The district's figures sum every bucket, a town's its own one;
# deeper subtrees and narrower scopes are computed live. Amounts are MoneyFields (whole fen).


class TallyRow(models.Model):
    bucket = models.IntegerField()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        day = getattr(self, "day", None)
        return f"{type(self).__name__} {self.bucket} {day or ''}".strip()


class DayTally(TallyRow):
    """A tally per bucket and day; the district reads every bucket, hence the index on the day."""

    day = models.DateField()

    class Meta:
        abstract = True
        constraints = [models.UniqueConstraint(fields=["bucket", "day"], name="%(app_label)s_%(class)s_key")]
        indexes = [models.Index(fields=["day"], name="%(app_label)s_%(class)s_day")]


class AppealTally(DayTally):
    """Requests by bucket and local day of registration: the counts behind the closed-loop rates
    (``appeals.selectors.METRICS``) and the sum of re-openings."""

    n_all = models.IntegerField(default=0)
    n_contacted_in_time = models.IntegerField(default=0)
    n_not_contacted_in_time = models.IntegerField(default=0)
    n_valid = models.IntegerField(default=0)
    n_invalid = models.IntegerField(default=0)
    n_resolved = models.IntegerField(default=0)
    n_unresolved = models.IntegerField(default=0)
    n_rated = models.IntegerField(default=0)
    n_satisfied = models.IntegerField(default=0)
    n_basic = models.IntegerField(default=0)
    n_unsatisfied = models.IntegerField(default=0)
    n_overdue = models.IntegerField(default=0)
    n_reopened = models.IntegerField(default=0)
    n_open = models.IntegerField(default=0)
    reopen_total = models.IntegerField(default=0)


class AppealDueTally(DayTally):
    """Open requests by bucket and the day their current deadline falls (contact or handling)."""

    n = models.IntegerField(default=0)


class MemberTally(DayTally):
    """Memberships (any status) by bucket and the day they joined."""

    n = models.IntegerField(default=0)


class ActiveMemberTally(TallyRow):
    """Today's roster (status 在册) by bucket."""

    bucket = models.IntegerField(unique=True)
    n = models.IntegerField(default=0)


class PaymentTally(TallyRow):
    """Payments by bucket (the beneficiary organisation's, or the beneficiary person's current one),
    voucher day, programme and whether an organisation is the beneficiary."""

    day = models.DateField()
    programme_id = models.IntegerField()
    to_org = models.BooleanField()
    n = models.IntegerField(default=0)
    amount = MoneyField("金额", default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["bucket", "day", "programme_id", "to_org"], name="dashboard_paymenttally_key"
            )
        ]
        indexes = [models.Index(fields=["day"], name="dashboard_paymenttally_day")]


class TallyState(models.Model):
    """One row. ``dirty`` is set by a trigger when organisations' paths change (a subtree moved: rows
    change bucket); the tallies are then not read until ``tallies.rebuild`` runs."""

    dirty = models.BooleanField(default=True)
    rebuilt_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return "待重建" if self.dirty else f"已于 {self.rebuilt_at:%Y-%m-%d %H:%M} 重建"
