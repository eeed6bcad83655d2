from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cadres import selectors, services
from cadres.models import Attendance, Post, TrainingClass
from cadres.tests.factories import cadre, post, training_class
from core.models import Notification
from orgs.services import organisation_create

pytestmark = pytest.mark.django_db
COMPLETED = Attendance.Status.COMPLETED


def complete(district, klass, who, on):
    return services.attendance_record(
        actor=district.user("admin"), training_class=klass, cadre=who, status=COMPLETED, completed_on=on
    )


def coverage_of(district, key, year):
    return {
        row.cadre.name: (row.organisation.code, row.trained) for row in selectors.coverage(district.user(key), year)
    }


def test_coverage_across_a_year_boundary(district):
    zhang = cadre(district, district.union_a, "张")
    post(district, district.union_a, zhang)
    # a class running over new year: completion (结业) on 2026-01-03 counts for 2026, not 2025
    winter = training_class(district, district.root, "冬训班", date(2025, 12, 29), date(2026, 1, 3))
    complete(district, winter, zhang, date(2026, 1, 3))
    assert coverage_of(district, "admin", 2025) == {"张": ("T-A-1", False)}
    assert coverage_of(district, "admin", 2026) == {"张": ("T-A-1", True)}
    # completed in December 2025 counts for 2025 only
    li = cadre(district, district.union_b, "李")
    post(district, district.union_b, li)
    december = training_class(district, district.root, "岁末班", date(2025, 12, 1), date(2025, 12, 5))
    complete(district, december, li, date(2025, 12, 5))
    assert coverage_of(district, "admin", 2025)["李"] == ("T-B-1", True)
    assert coverage_of(district, "admin", 2026)["李"] == ("T-B-1", False)
    with pytest.raises(ValidationError, match="起止日期之内"):
        complete(district, december, li, date(2025, 12, 6))


def test_a_cadre_who_changed_union_mid_year_counts_once_at_the_new_union(district):
    wang = cadre(district, district.union_a, "王")
    first = post(district, district.union_a, wang, Post.Role.COMMITTEE)
    spring = training_class(district, district.town_a, "仁和镇春训", date(2026, 3, 2), date(2026, 3, 4))
    complete(district, spring, wang, date(2026, 3, 4))
    services.post_end(actor=district.user("admin"), post=first, ended_on=date(2026, 6, 30), reason="调动")
    post(district, district.union_b, wang, Post.Role.CHAIR, started_on=date(2026, 7, 1))
    assert coverage_of(district, "admin", 2026) == {"王": ("T-B-1", True)}  # trained in A, counted at B, once
    assert coverage_of(district, "town_b", 2026) == {"王": ("T-B-1", True)}
    assert coverage_of(district, "town_a", 2026) == {}  # no longer A's to train this year
    assert coverage_of(district, "town_a", 2025) == {"王": ("T-A-1", False)}  # but A's last year
    # the attendance row stays with the union the cadre then served
    assert Attendance.objects.get().organisation == district.union_a
    figures = selectors.coverage_figures(selectors.coverage(district.user("admin"), 2026), 2026)
    assert (figures.cadres, figures.trained, figures.untrained, figures.share) == (1, 1, 0, "100.0")


def test_only_grassroots_cadres_are_counted(district):
    town_chair = cadre(district, district.town_a, "镇主席")
    post(district, district.town_a, town_chair)
    assert coverage_of(district, "admin", 2026) == {}


def test_invite_the_untrained_is_idempotent_and_notifies(district):
    invitee_user = district.user("chair_a")
    zhang = cadre(district, district.union_a, "张", user=invitee_user)
    post(district, district.union_a, zhang)
    li = cadre(district, district.union_b, "李")
    post(district, district.union_b, li)
    firm = cadre(district, district.firm_a, "赵")
    post(district, district.firm_a, firm)
    done = training_class(district, district.root, "上半年班", date(2026, 3, 1), date(2026, 3, 2))
    complete(district, done, firm, date(2026, 3, 2))
    upcoming = training_class(
        district,
        district.town_a,
        "仁和镇轮训",
        date(2027, 1, 5),
        date(2027, 1, 6),
        mode=TrainingClass.Mode.ROTATION,
        batch=2,
    )
    untrained = selectors.untrained_cadres(district.user("town_a"), 2026, district.town_a)
    assert [c.name for c in untrained] == ["张"]
    assert services.untrained_invite(actor=district.user("town_a"), training_class=upcoming, cadres=untrained) == 1
    assert services.untrained_invite(actor=district.user("town_a"), training_class=upcoming, cadres=untrained) == 0
    row = Attendance.objects.get(training_class=upcoming)
    assert (row.cadre, row.status) == (zhang, Attendance.Status.INVITED)
    assert Notification.objects.filter(user=invitee_user, kind="training_invited").count() == 1
    # town B's cadre cannot be put on town A's class, nor may town B invite to it
    with pytest.raises(ValidationError, match="不在您的管理范围内"):
        services.untrained_invite(actor=district.user("town_a"), training_class=upcoming, cadres=[li])
    with pytest.raises(PermissionDenied):
        services.untrained_invite(actor=district.user("town_b"), training_class=upcoming, cadres=[li])
    assert Attendance.objects.filter(training_class=upcoming).count() == 1


def test_class_refusals(district):
    with pytest.raises(ValidationError, match="由区总工会、镇街工会或功能区工会举办"):
        training_class(district, district.union_a, "村班", date(2026, 3, 1), date(2026, 3, 2))
    with pytest.raises(ValidationError, match="不能早于开班日期"):
        training_class(district, district.root, "倒序", date(2026, 3, 2), date(2026, 3, 1))
    with pytest.raises(ValidationError, match="批次"):
        training_class(district, district.root, "轮训", date(2026, 3, 1), date(2026, 3, 2), mode="rotation")
    with pytest.raises(PermissionDenied):
        services.training_class_create(
            actor=district.user("town_b"),
            organisation=district.town_a,
            title="x",
            mode="central",
            starts_on=date(2026, 3, 1),
            ends_on=date(2026, 3, 2),
            hours=Decimal("8"),
        )
    zone = organisation_create(actor=None, parent=district.root, code="T-Z", name="空港功能区工会", kind="zone")
    assert training_class(district, zone, "功能区班", date(2026, 3, 1), date(2026, 3, 2)).organisation == zone
    assert TrainingClass.objects.count() == 1
