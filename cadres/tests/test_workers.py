from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from appeals.models import LiaisonAssignment
from cadres import services
from cadres.models import Assignment, Evaluation, SocialWorker
from cadres.tests.factories import social_worker

pytestmark = pytest.mark.django_db


def test_assignment_makes_the_worker_the_liaison_and_ending_it_ends_that(district):
    admin = district.user("admin")
    worker = social_worker(district, district.town_a, username="sw_a")
    services.probation_conclude(actor=admin, worker=worker, passed=True)
    row = services.assignment_start(
        actor=admin, worker=worker, organisation=district.union_a, started_on=date(2026, 5, 1)
    )
    liaison = LiaisonAssignment.objects.get(organisation=district.union_a, ended_on__isnull=True)
    assert liaison.liaison == worker.user
    services.assignment_end(actor=admin, assignment=row, reason="调整服务片区", ended_on=date(2026, 9, 1))
    assert not LiaisonAssignment.objects.filter(organisation=district.union_a, ended_on__isnull=True).exists()
    assert LiaisonAssignment.objects.get().ended_on == date(2026, 9, 1)
    assert Assignment.objects.get().ended_on == date(2026, 9, 1)


def test_a_new_worker_takes_over_the_union(district):
    admin = district.user("admin")
    first = social_worker(district, district.town_a, "社工甲", username="sw_1")
    second = social_worker(district, district.town_a, "社工乙", username="sw_2")
    services.assignment_start(actor=admin, worker=first, organisation=district.union_a, started_on=date(2026, 5, 1))
    services.assignment_start(actor=admin, worker=second, organisation=district.union_a, started_on=date(2026, 6, 1))
    assert Assignment.objects.get(social_worker=first).ended_on == date(2026, 6, 1)
    assert LiaisonAssignment.objects.get(ended_on__isnull=True).liaison == second.user


def test_assignment_refusals(district):
    admin = district.user("admin")
    no_account = social_worker(district, district.town_a, "无账号")
    with pytest.raises(ValidationError, match="关联平台账号"):
        services.assignment_start(actor=admin, worker=no_account, organisation=district.union_a)
    worker = social_worker(district, district.town_a, "社工甲", username="sw_a")
    with pytest.raises(PermissionDenied):
        services.assignment_start(actor=district.user("town_b"), worker=worker, organisation=district.union_a)
    # the liaison rules of appeals apply: the worker's account handles requests under town A only
    with pytest.raises(ValidationError, match="没有覆盖"):
        services.assignment_start(actor=admin, worker=worker, organisation=district.union_b)
    with pytest.raises(ValidationError, match="不是基层工会"):
        services.assignment_start(actor=admin, worker=worker, organisation=district.town_a)
    assert not Assignment.objects.exists() and not LiaisonAssignment.objects.exists()


def test_the_closed_cycle_and_yearly_evaluations(district):
    admin = district.user("admin")
    worker = social_worker(district, district.town_a, username="sw_a")
    with pytest.raises(ValidationError, match="试用期"):
        services.evaluation_record(actor=admin, worker=worker, year=2026, result="competent")
    services.probation_conclude(actor=admin, worker=worker, passed=True)
    with pytest.raises(ValidationError, match="不在试用期"):
        services.probation_conclude(actor=admin, worker=worker, passed=True)
    services.evaluation_record(actor=admin, worker=worker, year=2026, result="excellent", score=Decimal("95"))
    with pytest.raises(ValidationError, match="已有评价结果"):
        services.evaluation_record(actor=admin, worker=worker, year=2026, result="competent")
    with pytest.raises(ValidationError, match="年度须在"):
        services.evaluation_record(actor=admin, worker=worker, year=2019, result="competent")
    with pytest.raises(ValidationError, match="得分"):
        services.evaluation_record(actor=admin, worker=worker, year=2025 + 1, result="competent", score=Decimal("NaN"))
    assert Evaluation.objects.count() == 1
    row = services.assignment_start(
        actor=admin, worker=worker, organisation=district.union_a, started_on=date(2026, 5, 1)
    )
    services.social_worker_dismiss(actor=admin, worker=worker, reason="合同到期")
    worker.refresh_from_db()
    assert worker.stage == SocialWorker.Stage.DISMISSED
    assert Assignment.objects.get(pk=row.pk).ended_on is not None
    assert not LiaisonAssignment.objects.filter(ended_on__isnull=True).exists()
    with pytest.raises(ValidationError, match="已解聘"):
        services.social_worker_dismiss(actor=admin, worker=worker, reason="x")


def test_failed_probation_dismisses_and_assessment_can_record(district):
    admin = district.user("admin")
    worker = social_worker(district, district.town_a)
    with pytest.raises(ValidationError, match="解聘原因"):
        services.probation_conclude(actor=admin, worker=worker, passed=False)
    services.probation_conclude(actor=admin, worker=worker, passed=False, reason="试用期考核不合格")
    worker.refresh_from_db()
    assert worker.stage == SocialWorker.Stage.DISMISSED and worker.left_reason == "试用期考核不合格"
    other = social_worker(district, district.town_a, "社工乙")
    services.probation_conclude(actor=admin, worker=other, passed=True)
    e = services.evaluation_record(actor=admin, worker=other, year=2026, result="basic", source="assessment")
    assert e.source == Evaluation.Source.ASSESSMENT


def _grade(district, actor_key="admin", org=None, **extra):
    data = {"code": "A1", "name": "一级", "monthly_pay": Decimal("6500"), "valid_from": date(2026, 1, 1), **extra}
    return services.pay_grade_define(actor=district.user(actor_key), organisation=org or district.root, **data)


def test_pay_grades(district):
    admin = district.user("admin")
    grade = _grade(district)
    with pytest.raises(ValidationError, match="已存在"):
        _grade(district, monthly_pay=Decimal("1"))
    with pytest.raises(ValidationError, match="正数"):
        _grade(district, code="A2", monthly_pay=Decimal("NaN"))
    worker = social_worker(district, district.town_a)
    services.social_worker_update(actor=admin, worker=worker, pay_grade=grade)
    assert SocialWorker.objects.get(pk=worker.pk).pay_grade == grade
    with pytest.raises(PermissionDenied):
        _grade(district, "town_a", code="B")
    town_grade = _grade(district, org=district.town_b, code="B1")
    with pytest.raises(ValidationError, match="聘用单位或其上级"):
        services.social_worker_update(actor=admin, worker=worker, pay_grade=town_grade)
