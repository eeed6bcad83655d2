"""Changes to a 顺义工匠 selection: open, nominate, close nominations, score, publish the shortlist for
the public notice period (公示), record and decide objections, award. Each step checks the actor's
scope and the selection's state (django-fsm-2 ``can_proceed``): a step out of order is refused with a
Chinese ``ValidationError`` and changes nothing.

Who: the district's officers holding ``activities.manage`` open, close, publish, record objections
and award; a union's officers holding ``activities.manage`` nominate members of their subtree;
officers holding ``activities.review`` at the organiser score (never a nominee they nominated).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_fsm import can_proceed

from activities.craftsmen import CraftsmanSelection, Nomination, NominationScore, Objection
from activities.ranking import combined_score, competition_ranks
from members.models import Honour, Membership, Person
from orgs.models import Organisation
from orgs.roles import Perm
from orgs.scope import can_at, subtree_q

MIN_REVIEWERS = 3  # a nominee is ranked only once this many reviewers scored them
MIN_NOTICE_DAYS = 5  # 公示期不少于 5 天
MAX_QUOTA = 100
Outcome = Nomination.Outcome


def _manage(actor: Any, selection: CraftsmanSelection) -> None:
    if not can_at(actor, Perm.ACTIVITY_MANAGE, selection.organiser):
        raise PermissionDenied("您没有管理顺义工匠评选的权限")


def _locked(selection: CraftsmanSelection) -> CraftsmanSelection:
    return CraftsmanSelection.objects.select_for_update(of=("self",)).select_related("organiser").get(pk=selection.pk)


def _refuse_step(selection: CraftsmanSelection, step: Any, what: str) -> None:
    if not can_proceed(step):
        raise ValidationError({"state": f"{selection}当前{selection.get_state_display()}，不能{what}"})


def selection_open(
    *, actor: Any, organiser: Organisation, year: int, quota: int, nominations_close: date
) -> CraftsmanSelection:
    """The district federation opens the year's selection."""
    if not can_at(actor, Perm.ACTIVITY_MANAGE, organiser):
        raise PermissionDenied("您没有组织顺义工匠评选的权限")
    if organiser.kind != Organisation.Kind.DISTRICT:
        raise ValidationError({"organiser": "顺义工匠评选由区总工会组织"})
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": "评选年度应在 2000–2100 之间"})
    if not 1 <= quota <= MAX_QUOTA:
        raise ValidationError({"quota": f"评选名额应在 1–{MAX_QUOTA} 之间"})
    if nominations_close < timezone.localdate():
        raise ValidationError({"nominations_close": "推荐截止日期不能早于今天"})
    if CraftsmanSelection.objects.filter(year=year).exists():
        raise ValidationError({"year": f"{year}年度的顺义工匠评选已经存在"})
    try:
        with transaction.atomic():
            return CraftsmanSelection.objects.create(
                year=year, organiser=organiser, quota=quota, nominations_close=nominations_close, created_by=actor
            )
    except IntegrityError as exc:
        raise ValidationError({"year": f"{year}年度的顺义工匠评选已经存在"}) from exc


def nomination_add(
    *, actor: Any, selection: CraftsmanSelection, union: Organisation, person: Person, trade: str, deeds: str
) -> Nomination:
    """A union nominates an active member of its subtree, with their deeds."""
    if not can_at(actor, Perm.ACTIVITY_MANAGE, union):
        raise PermissionDenied("您没有以该工会名义推荐的权限")
    if union.is_partner:
        raise ValidationError({"union": "协作单位不能推荐顺义工匠"})
    trade, deeds = trade.strip(), deeds.strip()
    if not trade:
        raise ValidationError({"trade": "请填写工种/岗位"})
    if len(deeds) < 20:
        raise ValidationError({"deeds": "主要事迹至少 20 字"})
    with transaction.atomic():
        selection = _locked(selection)
        if selection.state != CraftsmanSelection.State.NOMINATING:
            raise ValidationError({"state": f"{selection}当前{selection.get_state_display()}，不能再推荐"})
        if timezone.localdate() > selection.nominations_close:
            raise ValidationError({"state": f"推荐已于 {selection.nominations_close:%Y-%m-%d} 截止"})
        in_union = (
            Membership.objects.active_on().filter(person=person).filter(subtree_q("organisation__path", union.path))
        )
        if not in_union.exists():
            raise ValidationError(
                {"person": f"{person.name}不是{union.name}（含下级）的在册会员，或姓名与身份证号不符"}
            )
        if Nomination.objects.filter(selection=selection, person=person).exists():
            raise ValidationError({"person": f"{person.name}已被推荐参加{selection}，不能重复推荐"})
        try:
            with transaction.atomic():
                return Nomination.objects.create(
                    selection=selection, union=union, person=person, trade=trade, deeds=deeds, nominated_by=actor
                )
        except IntegrityError as exc:
            raise ValidationError({"person": f"{person.name}已被推荐参加{selection}，不能重复推荐"}) from exc


def nominations_close(*, actor: Any, selection: CraftsmanSelection) -> CraftsmanSelection:
    """The organiser closes nominations (at least one is needed); reviewers may then score."""
    _manage(actor, selection)
    with transaction.atomic():
        selection = _locked(selection)
        _refuse_step(selection, selection.close_nominations, "截止推荐")
        if not selection.nominations.exists():
            raise ValidationError({"state": "还没有任何推荐，不能截止推荐"})
        selection.close_nominations()
        selection.closed_at = timezone.now()
        selection.save()
    return selection


def parse_review_score(raw: Any, *, who: str) -> Decimal:
    """A reviewer's score as typed: a finite number 0–100 with at most two decimals."""
    text = str(raw).strip() if raw is not None else ""
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise ValidationError({"score": f"{who}：评分“{text}”不是数字"}) from exc
    if not value.is_finite() or not 0 <= value <= 100 or value != value.quantize(Decimal("0.01")):
        raise ValidationError({"score": f"{who}：评分应为 0–100 之间、至多两位小数的数字"})
    return value


def score_record(*, actor: Any, nomination: Nomination, score: Any) -> NominationScore:
    """A reviewer scores a nominee (again: the score is replaced) while the selection is under review."""
    selection = nomination.selection
    if not can_at(actor, Perm.ACTIVITY_REVIEW, selection.organiser):
        raise PermissionDenied("只有评审人员可以评分")
    value = parse_review_score(score, who=nomination.person.name)
    with transaction.atomic():
        selection = _locked(selection)
        if selection.state != CraftsmanSelection.State.REVIEWING:
            raise ValidationError({"state": f"{selection}当前{selection.get_state_display()}，不在评审阶段"})
        if nomination.nominated_by_id == actor.pk:
            raise ValidationError({"score": "不能为自己推荐的人员评分"})
        row, _ = NominationScore.objects.update_or_create(
            nomination=nomination, reviewer=actor, defaults={"score": value}
        )
    return row


def shortlist_publish(
    *, actor: Any, selection: CraftsmanSelection, notice_starts: date, notice_ends: date
) -> CraftsmanSelection:
    """Combines and ranks the scores and publishes the best ``quota`` for the notice period. Every
    nominee needs ``MIN_REVIEWERS`` scores; the notice period lasts at least ``MIN_NOTICE_DAYS`` days.
    Ties at the quota's edge are all shortlisted (equal scores share a rank)."""
    _manage(actor, selection)
    if notice_starts < timezone.localdate():
        raise ValidationError({"notice_starts": "公示开始日期不能早于今天"})
    if (notice_ends - notice_starts).days + 1 < MIN_NOTICE_DAYS:
        raise ValidationError({"notice_ends": f"公示期不少于 {MIN_NOTICE_DAYS} 天"})
    with transaction.atomic():
        selection = _locked(selection)
        _refuse_step(selection, selection.publish, "发布公示")
        nominations = list(selection.nominations.select_related("person").prefetch_related("scores"))
        short = [n.person.name for n in nominations if len(n.scores.all()) < MIN_REVIEWERS]
        if short:
            raise ValidationError({"score": f"以下人员的评分不足 {MIN_REVIEWERS} 位评审：{'、'.join(short)}"})
        for n in nominations:
            n.combined_score = combined_score([s.score for s in n.scores.all()])
        ranks = competition_ranks([n.combined_score for n in nominations])
        for n, rank in zip(nominations, ranks, strict=True):
            n.rank = rank
            n.outcome = Outcome.SHORTLISTED if rank <= selection.quota else Outcome.NOT_SELECTED
        Nomination.objects.bulk_update(nominations, ["combined_score", "rank", "outcome"])
        selection.publish()
        selection.notice_starts, selection.notice_ends = notice_starts, notice_ends
        selection.published_at = timezone.now()
        selection.save()
    return selection


def objection_record(
    *, actor: Any, nomination: Nomination, received_on: date, objector: str, content: str
) -> Objection:
    """An objection received during the notice period is recorded against a shortlisted nominee."""
    selection = nomination.selection
    _manage(actor, selection)
    objector, content = objector.strip() or "匿名", content.strip()
    if not content:
        raise ValidationError({"content": "请填写异议内容"})
    with transaction.atomic():
        selection = _locked(selection)
        if selection.state != CraftsmanSelection.State.NOTICE:
            raise ValidationError({"state": f"{selection}当前{selection.get_state_display()}，不在公示期"})
        if not selection.notice_starts <= received_on <= selection.notice_ends:
            raise ValidationError(
                {"received_on": f"异议应在公示期内（{selection.notice_starts}至{selection.notice_ends}）收到"}
            )
        if received_on > timezone.localdate():
            raise ValidationError({"received_on": "收到日期不能晚于今天"})
        if Nomination.objects.get(pk=nomination.pk).outcome != Outcome.SHORTLISTED:
            raise ValidationError({"nomination": f"{nomination.person.name}不在公示名单中"})
        return Objection.objects.create(
            nomination=nomination,
            received_on=received_on,
            objector=objector[:60],
            content=content[:2000],
            recorded_by=actor,
        )


def objection_decide(*, actor: Any, objection: Objection, upheld: bool, note: str) -> Objection:
    """The organiser records the finding; an upheld objection withdraws the nominee."""
    nomination = objection.nomination
    selection = nomination.selection
    _manage(actor, selection)
    note = note.strip()
    if not note:
        raise ValidationError({"finding_note": "请写明核查情况"})
    with transaction.atomic():
        selection = _locked(selection)
        if selection.state != CraftsmanSelection.State.NOTICE:
            raise ValidationError({"state": f"{selection}当前{selection.get_state_display()}，不能核查异议"})
        objection = Objection.objects.select_for_update().get(pk=objection.pk)
        if objection.finding != Objection.Finding.PENDING:
            raise ValidationError({"finding": "该异议已有核查结论"})
        objection.finding = Objection.Finding.UPHELD if upheld else Objection.Finding.DISMISSED
        objection.finding_note = note[:300]
        objection.decided_by, objection.decided_at = actor, timezone.now()
        objection.save()
        if upheld:
            Nomination.objects.filter(pk=nomination.pk).update(outcome=Outcome.WITHDRAWN)
    return objection


def selection_award(*, actor: Any, selection: CraftsmanSelection, awarded_on: date) -> list[Honour]:
    """After the notice period, with every objection decided, each shortlisted nominee still standing
    receives the honour 顺义工匠 (level 顺义区) dated ``awarded_on``, linked to the nomination."""
    _manage(actor, selection)
    with transaction.atomic():
        selection = _locked(selection)
        _refuse_step(selection, selection.award, "授予")
        if timezone.localdate() <= selection.notice_ends:
            raise ValidationError({"state": f"公示期至 {selection.notice_ends:%Y-%m-%d} 结束，公示期满后才能授予"})
        if not selection.notice_ends < awarded_on <= timezone.localdate():
            raise ValidationError({"awarded_on": "授予日期应在公示期结束之后、不晚于今天"})
        if Objection.objects.filter(nomination__selection=selection, finding=Objection.Finding.PENDING).exists():
            raise ValidationError({"state": "还有未核查的异议，请先核查"})
        winners = list(selection.nominations.filter(outcome=Outcome.SHORTLISTED).select_related("person"))
        honours = []
        for n in winners:
            n.honour = Honour.objects.create(
                person=n.person,
                title=Honour.Title.CRAFTSMAN,
                level=Honour.Level.DISTRICT,
                awarded_on=awarded_on,
                awarded_by=selection.organiser.name,
                note=f"{selection}（{n.trade}，综合得分 {n.combined_score}）"[:200],
            )
            n.outcome = Outcome.AWARDED
            honours.append(n.honour)
        Nomination.objects.bulk_update(winners, ["honour", "outcome"])
        selection.award()
        selection.awarded_on = awarded_on
        selection.save()
    return honours
