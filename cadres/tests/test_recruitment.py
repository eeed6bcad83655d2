from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cadres import selectors, services
from cadres.models import Application, InterviewScore, Recruitment
from conftest import make_user
from orgs.models import Organisation

pytestmark = pytest.mark.django_db
S = Recruitment.State


def opened(district: Any, town: Organisation, interviewers: int = 3, positions: int = 1) -> Recruitment:
    n = Recruitment.objects.count()
    people = [make_user(f"iv_{town.code}_{n}_{i}") for i in range(interviewers)]
    return services.recruitment_open(
        actor=district.user("admin"),
        organisation=town,
        title=f"{town.name}社工招聘",
        positions=positions,
        opened_on=date(2026, 3, 1),
        interviewers=people,
    )


def run_recruitment(district: Any, town: Organisation, names: list[str]) -> list:
    """A whole recruitment of ``names`` (each scored 80 by every interviewer), hired after the notice."""
    admin = district.user("admin")
    r = opened(district, town, positions=len(names))
    apps = [services.application_add(actor=admin, recruitment=r, name=n, mobile="13800000000") for n in names]
    services.applications_close(actor=admin, recruitment=r)
    for a in apps:
        services.eligibility_review(actor=admin, application=a, eligible=True)
    services.written_test_start(actor=admin, recruitment=r)
    for a in apps:
        services.written_score_record(actor=admin, application=a, score="75")
    services.interview_start(actor=admin, recruitment=r)
    for a in apps:
        for iv in r.interviewers.all():
            services.interview_score_submit(actor=iv, application=a, score="80")
    services.ranking_publish(actor=admin, recruitment=r)
    services.notice_publish(actor=admin, recruitment=r, starts_on=date(2026, 4, 1))
    return services.hiring_confirm(actor=admin, recruitment=r, hired_on=date(2026, 4, 10))


def test_a_whole_recruitment_ranks_by_the_stated_rule_and_hires_the_first(district):
    admin = district.user("admin")
    r = opened(district, district.town_a, interviewers=5, positions=1)
    a = services.application_add(actor=admin, recruitment=r, name="张三", mobile="13800000001")
    b = services.application_add(actor=admin, recruitment=r, name="李四", mobile="13800000002")
    c = services.application_add(actor=admin, recruitment=r, name="王五", mobile="13800000003")
    services.applications_close(actor=admin, recruitment=r)
    services.eligibility_review(actor=admin, application=a, eligible=True)
    services.eligibility_review(actor=admin, application=b, eligible=True)
    with pytest.raises(ValidationError, match="不通过的原因"):
        services.eligibility_review(actor=admin, application=c, eligible=False)
    services.eligibility_review(actor=admin, application=c, eligible=False, note="学历不符")
    services.written_test_start(actor=admin, recruitment=r)
    services.written_score_record(actor=admin, application=a, score="70")
    services.written_score_record(actor=admin, application=b, score="80")
    with pytest.raises(ValidationError, match="未通过资格审查"):
        services.written_score_record(actor=admin, application=c, score="90")
    services.interview_start(actor=admin, recruitment=r)
    ivs = list(r.interviewers.order_by("pk"))
    # 张三: 60 80 82 84 99 → drop 60 and 99 → 82.00; 李四: 70 ×5 → 70.00
    for iv, score in zip(ivs, ["60", "80", "82", "84", "99"], strict=True):
        services.interview_score_submit(actor=iv, application=a, score=score)
    for iv in ivs:
        services.interview_score_submit(actor=iv, application=b, score="70")
    services.ranking_publish(actor=admin, recruitment=r)
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.interview_score == Decimal("82.00") and a.total_score == Decimal("77.20")  # 70×0.4 + 82×0.6
    assert b.interview_score == Decimal("70.00") and b.total_score == Decimal("74.00")  # 80×0.4 + 70×0.6
    assert (a.rank, a.hired, b.rank, b.hired) == (1, True, 2, False)
    services.notice_publish(actor=admin, recruitment=r, starts_on=date(2026, 5, 1))
    r.refresh_from_db()
    assert r.notice_end == date(2026, 5, 5)
    with pytest.raises(ValidationError, match="公示期满后"):
        services.hiring_confirm(actor=admin, recruitment=r, hired_on=date(2026, 5, 5))
    workers = services.hiring_confirm(actor=admin, recruitment=r, hired_on=date(2026, 5, 6))
    assert [w.name for w in workers] == ["张三"]
    assert Recruitment.objects.get(pk=r.pk).state == S.HIRED


def test_steps_out_of_order_are_refused_and_change_nothing(district):
    admin = district.user("admin")
    r = opened(district, district.town_a)
    a = services.application_add(actor=admin, recruitment=r, name="张三", mobile="13800000001")
    for step, label in (
        (services.written_test_start, "不能进入笔试"),
        (services.interview_start, "不能进入面试"),
        (services.ranking_publish, "不能公布排名"),
        (services.notice_publish, "不能发布公示"),
        (services.hiring_confirm, "不能确认聘用"),
    ):
        with pytest.raises(ValidationError, match=label):
            step(actor=admin, recruitment=r)
        assert Recruitment.objects.get(pk=r.pk).state == S.OPEN
    with pytest.raises(ValidationError, match="资格审查"):
        services.eligibility_review(actor=admin, application=a, eligible=True)
    services.applications_close(actor=admin, recruitment=r)
    with pytest.raises(ValidationError, match="报名已截止"):
        services.application_add(actor=admin, recruitment=r, name="迟到", mobile="13800000009")
    with pytest.raises(ValidationError, match="未完成资格审查：张三"):
        services.written_test_start(actor=admin, recruitment=r)
    with pytest.raises(ValidationError, match="不能截止报名"):
        services.applications_close(actor=admin, recruitment=r)
    iv = r.interviewers.first()
    with pytest.raises(ValidationError, match="不能评分"):
        services.interview_score_submit(actor=iv, application=a, score="80")
    assert not InterviewScore.objects.exists()
    assert Recruitment.objects.get(pk=r.pk).state == S.REVIEW


def at_interview(district: Any, interviewers: int) -> tuple[Recruitment, Application]:
    """A recruitment of town A with one candidate (张三, written 75), at the interview."""
    admin = district.user("admin")
    r = opened(district, district.town_a, interviewers=interviewers)
    a = services.application_add(actor=admin, recruitment=r, name="张三", mobile="13800000001")
    services.applications_close(actor=admin, recruitment=r)
    services.eligibility_review(actor=admin, application=a, eligible=True)
    services.written_test_start(actor=admin, recruitment=r)
    services.written_score_record(actor=admin, application=a, score="75")
    services.interview_start(actor=admin, recruitment=r)
    return r, a


def test_ranking_waits_for_every_interviewer(district):
    admin = district.user("admin")
    r, a = at_interview(district, interviewers=2)
    first, _second = r.interviewers.order_by("pk")
    services.interview_score_submit(actor=first, application=a, score="80")
    with pytest.raises(ValidationError, match="已评 1 / 2"):
        services.ranking_publish(actor=admin, recruitment=r)
    assert Application.objects.get(pk=a.pk).rank is None


def test_interview_scores_are_independent_and_final(district):
    admin = district.user("admin")
    r, a = at_interview(district, interviewers=2)
    first, second = r.interviewers.order_by("pk")
    services.interview_score_submit(actor=first, application=a, score="88")
    # the second interviewer sees neither the score nor who scored before submitting
    (sheet,) = selectors.scores_visible_to(second, r)
    assert sheet.own is None and sheet.others == []
    (sheet,) = selectors.scores_visible_to(first, r)
    assert sheet.own.score == Decimal("88") and sheet.others == []
    services.interview_score_submit(actor=second, application=a, score="90")
    (sheet,) = selectors.scores_visible_to(second, r)
    assert [s.score for s in sheet.others] == [Decimal("88")]
    with pytest.raises(ValidationError, match="不能修改"):
        services.interview_score_submit(actor=first, application=a, score="99")
    with pytest.raises(ValidationError, match="不是本次招聘的面试官"):
        services.interview_score_submit(actor=admin, application=a, score="99")
    for bad in ("NaN", "101", "-1", "abc", "1e400"):
        with pytest.raises(ValidationError):
            services.interview_score_submit(actor=second, application=a, score=bad)
    assert InterviewScore.objects.count() == 2


def test_recruitment_refusals(district):
    with pytest.raises(PermissionDenied):
        opened_by(district, "town_b", district.town_a)
    with pytest.raises(ValidationError, match="镇街、功能区工会招聘"):
        opened_by(district, "admin", district.union_a)
    with pytest.raises(ValidationError, match="手机号"):
        r = opened(district, district.town_a)
        services.application_add(actor=district.user("admin"), recruitment=r, name="张三", mobile="12345")
    assert not Application.objects.exists()


def opened_by(district: Any, key: str, org: Organisation) -> Recruitment:
    return services.recruitment_open(actor=district.user(key), organisation=org, title="招聘", positions=1)


def test_the_notice_lasts_its_days(district):
    workers = run_recruitment(district, district.town_a, ["甲", "乙"])
    assert sorted(w.name for w in workers) == ["乙", "甲"]
    r = Recruitment.objects.get()
    assert r.notice_end - r.notice_start == timedelta(days=r.notice_days - 1)
