"""The state machine: every allowed step, every refused one, with its message."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from appeals import services
from appeals.models import Appeal, Category, Referral, TimelineEntry
from appeals.tests.factories import fresh, liaison, make_appeal, make_person, run_to
from core.models import AuditEvent, Notification

S = Appeal.State
pytestmark = pytest.mark.django_db


def refused(fn, match: str, exc=ValidationError):
    with pytest.raises(exc) as info:
        fn()
    text = " ".join(info.value.messages) if isinstance(info.value, ValidationError) else str(info.value)
    assert match in text, text


def test_register_sets_deadlines_liaison_and_timeline(district):
    liaison(district, district.union_a)
    a = make_appeal(district)
    assert a.state == S.REGISTERED
    assert a.liaison == district.user("social_a")
    assert a.contact_deadline > a.registered_at.date() or a.contact_deadline >= a.registered_at.date()
    assert a.timeline.get().action == "登记"
    assert Notification.objects.filter(user=district.user("social_a"), kind="appeal_new").count() == 1


def test_register_refusals(district):
    rights = district.user("rights")
    cat = Category.objects.get(code="other")
    kw = dict(
        category=cat, channel=Appeal.Channel.HOTLINE, title="t", description="内容足够长的诉求", reporter_name="李"
    )
    refused(lambda: services.appeal_register(actor=rights, organisation=district.women, **kw), "工会组织")
    refused(
        lambda: services.appeal_register(actor=rights, organisation=district.union_a, **{**kw, "description": "短"}),
        "至少 5 个字",
    )
    refused(
        lambda: services.appeal_register(actor=rights, organisation=district.union_a, **{**kw, "reporter_name": ""}),
        "反映人",
    )
    refused(
        lambda: services.appeal_register(actor=district.user("town_b"), organisation=district.union_a, **kw),
        "无权",
        PermissionDenied,
    )
    refused(
        lambda: services.appeal_register(actor=district.user("worker_a"), **{**kw, "channel": Appeal.Channel.PORTAL}),
        "会员",
        PermissionDenied,
    )
    assert Appeal.objects.count() == 0


def test_portal_submission_by_worker(district):
    worker = district.user("worker_a")
    make_person(district.union_a, user=worker, name="张伟")
    cat = Category.objects.get(code="women")
    a = services.appeal_register(
        actor=worker, category=cat, channel=Appeal.Channel.PORTAL, title="产假工资", description="产假期间工资被扣发"
    )
    assert a.worker.user == worker and a.organisation == district.union_a


def test_full_loop_allowed_steps(district):
    a = make_appeal(district)
    a = run_to(district, a, S.CONTACTED)
    assert a.state == S.CONTACTED and a.contacted_at is not None
    a = run_to(district, make_appeal(district), S.COORDINATING, co=(district.women,))
    assert a.state == S.COORDINATING and a.referrals.count() == 2 and a.lead_handler_org == district.town_a
    a = run_to(district, make_appeal(district), S.HANDLING)
    assert a.state == S.HANDLING
    a = run_to(district, make_appeal(district), S.FED_BACK)
    assert a.state == S.FED_BACK and a.resolved
    a = run_to(district, make_appeal(district), S.CLOSED)
    assert a.state == S.CLOSED and a.rating == Appeal.Rating.SATISFIED and a.closed_at
    actions = list(a.timeline.values_list("action", flat=True))
    assert actions[:2] == ["登记", "联系职工"] and "反馈" in actions


def test_state_field_is_protected(district):
    a = make_appeal(district)
    with pytest.raises(AttributeError):
        a.state = S.CLOSED


@pytest.mark.parametrize(
    "state, step, match",
    [
        (S.CONTACTED, "contact", "只有刚登记"),
        (S.REGISTERED, "refer", "请先联系职工"),
        (S.CLOSED, "refer", "不能转办"),
        (S.REGISTERED, "feedback", "只有办理中"),
        (S.COORDINATING, "feedback", "只有办理中"),
        (S.FED_BACK, "feedback", "只有办理中"),
        (S.REGISTERED, "rate", "只有已反馈"),
        (S.HANDLING, "rate", "只有已反馈"),
        (S.CLOSED, "rate", "只有已反馈"),
        (S.HANDLING, "invalid", "不能标记无效"),
        (S.FED_BACK, "invalid", "不能标记无效"),
        (S.CLOSED, "note", "已办结"),
    ],
)
def test_out_of_order_steps_are_refused(district, state, step, match):
    a = run_to(district, make_appeal(district), state)
    rights = district.user("rights")
    calls = {
        "contact": lambda: services.appeal_contact(actor=rights, appeal=a, note="再次联系"),
        "refer": lambda: services.appeal_refer(actor=rights, appeal=a, lead=district.town_a),
        "feedback": lambda: services.appeal_feedback(actor=rights, appeal=a, result="结果", resolved=True),
        "rate": lambda: services.appeal_rate(actor=rights, appeal=a, rating=Appeal.Rating.SATISFIED),
        "invalid": lambda: services.appeal_mark_invalid(actor=rights, appeal=a, reason="重复"),
        "note": lambda: services.appeal_note(actor=rights, appeal=a, note="记录"),
    }
    before = fresh(a).state
    refused(calls[step], match)
    assert fresh(a).state == before


def test_parent_cannot_feed_back_while_a_child_is_open(district):
    a = run_to(district, make_appeal(district), S.HANDLING, co=(district.women,))
    women_ref = a.referrals.get(handler_org=district.women)
    services.referral_complete  # noqa: B018
    # the co-handler 妇联 was accepted by the admin in run_to; reopen a new co-handler that is still open
    services.appeal_refer(actor=district.user("rights"), appeal=a, co_handlers=[district.youth])
    refused(
        lambda: services.appeal_feedback(actor=district.user("rights"), appeal=a, result="结果", resolved=True),
        "区团委",
    )
    assert women_ref.state == Referral.State.ACCEPTED


def test_referral_steps_and_refusals(district):
    a = run_to(district, make_appeal(district), S.CONTACTED)
    rights = district.user("rights")
    refused(lambda: services.appeal_refer(actor=rights, appeal=a, co_handlers=[district.women]), "主办单位")
    refused(
        lambda: services.appeal_refer(actor=rights, appeal=a, lead=district.town_a, co_handlers=[district.town_a]),
        "重复",
    )
    refused(lambda: services.appeal_refer(actor=rights, appeal=a, lead=district.union_b), "其他基层工会")
    refused(lambda: services.appeal_refer(actor=rights, appeal=a, lead=district.town_b), "不是本诉求所属工会的上级组织")
    lead, co = services.appeal_refer(actor=rights, appeal=a, lead=district.town_a, co_handlers=[district.women])
    refused(lambda: services.appeal_refer(actor=rights, appeal=a, lead=district.root), "已有主办单位")
    refused(lambda: services.appeal_refer(actor=rights, appeal=a, co_handlers=[district.women]), "已在办理")
    # only the handler organisation's officers act on a referral
    refused(lambda: services.referral_accept(actor=district.user("youth"), referral=co), "区妇联", PermissionDenied)
    refused(lambda: services.referral_complete(actor=district.user("women"), referral=co, result="x"), "请先受理")
    services.referral_accept(actor=district.user("women"), referral=co)
    refused(lambda: services.referral_accept(actor=district.user("women"), referral=co), "不能受理")
    refused(lambda: services.referral_complete(actor=district.user("women"), referral=co, result=" "), "办理情况")
    services.referral_complete(actor=district.user("women"), referral=co, result="妇联已介入")
    refused(lambda: services.referral_return(actor=district.user("women"), referral=co, reason="错"), "不能退回")
    refused(lambda: services.referral_complete(actor=district.user("women"), referral=co, result="again"), "不能办结")
    # a misrouted lead is returned with a reason: back to 协调, a new lead can be named
    services.referral_accept(actor=district.user("town_a"), referral=lead)
    assert fresh(a).state == S.HANDLING
    refused(lambda: services.referral_return(actor=district.user("town_a"), referral=lead, reason=""), "原因")
    services.referral_return(actor=district.user("town_a"), referral=lead, reason="应由区总工会权益保障部主办")
    a = fresh(a)
    assert a.state == S.COORDINATING and a.lead_handler_org is None
    services.appeal_refer(actor=rights, appeal=a, lead=district.root)
    assert fresh(a).lead_handler_org == district.root


def test_unsatisfied_reopens_to_coordination_and_counts(district):
    a = run_to(district, make_appeal(district), S.FED_BACK)
    rights = district.user("rights")
    refused(lambda: services.appeal_rate(actor=rights, appeal=a, rating=Appeal.Rating.UNSATISFIED), "原因")
    refused(lambda: services.appeal_rate(actor=rights, appeal=a, rating="great"), "请选择")
    services.appeal_rate(actor=rights, appeal=a, rating=Appeal.Rating.UNSATISFIED, comment="只补发了一半")
    a = fresh(a)
    assert a.state == S.COORDINATING and a.reopen_count == 1 and not a.resolved
    assert a.rating == Appeal.Rating.UNSATISFIED  # counts against 满意率 until rated again
    # second round: a new lead, handled, fed back, rated 满意
    services.appeal_refer(actor=rights, appeal=a, lead=district.town_a)
    ref = a.referrals.get(round=2)
    services.referral_accept(actor=district.user("town_a"), referral=ref)
    services.referral_complete(actor=district.user("town_a"), referral=ref, result="补发余款")
    services.appeal_feedback(actor=rights, appeal=a, result="全部补发", resolved=True)
    services.appeal_rate(actor=rights, appeal=a, rating=Appeal.Rating.SATISFIED)
    a = fresh(a)
    assert a.state == S.CLOSED and a.reopen_count == 1 and a.rating == Appeal.Rating.SATISFIED


def test_worker_rates_own_only(district):
    worker = district.user("worker_a")
    person = make_person(district.union_a, user=worker)
    a = run_to(district, make_appeal(district, worker=person), S.FED_BACK)
    other = run_to(district, make_appeal(district), S.FED_BACK)
    refused(
        lambda: services.appeal_rate(actor=worker, appeal=other, rating=Appeal.Rating.SATISFIED),
        "无权",
        PermissionDenied,
    )
    services.appeal_rate(actor=worker, appeal=a, rating=Appeal.Rating.BASIC)
    assert fresh(a).rating == Appeal.Rating.BASIC
    assert fresh(a).timeline.last().action == "职工评价"


def test_mark_invalid(district):
    a = make_appeal(district)
    refused(lambda: services.appeal_mark_invalid(actor=district.user("rights"), appeal=a, reason=" "), "原因")
    services.appeal_mark_invalid(actor=district.user("rights"), appeal=a, reason="重复反映，已并入另一件")
    a = fresh(a)
    assert a.state == S.CLOSED and a.invalid
    b = run_to(district, make_appeal(district), S.COORDINATING)
    refused(
        lambda: services.appeal_mark_invalid(actor=district.user("rights"), appeal=b, reason="重复"), "未办结的转办"
    )


def test_out_of_scope_officer_cannot_act(district):
    a = make_appeal(district)
    for key in ("town_b", "women", "chair_a"):
        refused(
            lambda key=key: services.appeal_contact(actor=district.user(key), appeal=a, note="x"),
            "无权",
            PermissionDenied,
        )
    assert TimelineEntry.objects.filter(appeal=a).count() == 1


def test_liaison_assignment_history_and_audit(district):
    rights = district.user("rights")
    first = services.liaison_assign(actor=rights, organisation=district.union_a, liaison=district.user("social_a"))
    refused(
        lambda: services.liaison_assign(actor=rights, organisation=district.union_a, liaison=district.user("social_a")),
        "已是",
    )
    refused(
        lambda: services.liaison_assign(actor=rights, organisation=district.town_a, liaison=district.user("social_a")),
        "不是基层工会",
    )
    refused(
        lambda: services.liaison_assign(actor=rights, organisation=district.union_b, liaison=district.user("social_a")),
        "没有覆盖",
    )
    refused(
        lambda: services.liaison_assign(
            actor=district.user("town_b"), organisation=district.union_a, liaison=district.user("town_a")
        ),
        "无权",
        PermissionDenied,
    )
    services.liaison_assign(actor=rights, organisation=district.union_a, liaison=district.user("town_a"))
    first.refresh_from_db()
    assert first.ended_on is not None
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.LIAISON_CHANGED).count() == 2
    services.liaison_end(actor=rights, organisation=district.union_a, reason="调岗")
    refused(lambda: services.liaison_end(actor=rights, organisation=district.union_a, reason="x"), "没有联络人")
