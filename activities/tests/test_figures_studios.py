"""The figures page's studio and innovation counts (issue 13): for a subtree and period, each figure a
link to the rows it counts, and each count equal to its drill-down (read back through the link)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from activities import innovation_services as inn
from activities import studios_services as ss
from activities.innovation import InnovationItem
from activities.studios import Studio, StudioOutput
from activities.tests.innovation_helpers import IMMEDIATE, pay, reward_programmes, submit
from members.models import Honour
from members.tests.factories import member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _immediate_tasks():
    with override_settings(TASKS=IMMEDIATE):
        yield


def _studio(district, union, name, *, kind=Studio.Kind.INNOVATION, plaque_on=date(2024, 4, 28)):
    leader = member(union, name=name[:3]).person
    if kind == Studio.Kind.MODEL_WORKER:
        Honour.objects.create(person=leader, title=Honour.Title.MODEL_WORKER, level="city", awarded_on=date(2020, 5, 1))
    actor = district.user("town_a" if union.path.startswith(district.town_a.path) else "town_b")
    return ss.studio_create(
        actor=actor, union=union, kind=kind, name=name, leader=leader, level=Honour.Level.DISTRICT,
        plaque_on=plaque_on, field="数控加工",
    )  # fmt: skip


@pytest.fixture
def world(district):
    today = timezone.localdate()
    year = today.year
    a = _studio(district, district.union_a, "甲创新工作室")
    m = _studio(district, district.union_a, "乙劳模工作室", kind=Studio.Kind.MODEL_WORKER)
    late = _studio(district, district.union_a, "丙创新工作室", plaque_on=today)  # plaqued today
    b = _studio(district, district.union_b, "丁创新工作室")  # the neighbouring town's
    for studio, actor in ((a, "town_a"), (m, "town_a"), (b, "town_b")):
        ss.output_record(actor=district.user(actor), studio=studio, year=year, innovations=3, trainees=10, patents=1)
        ss.output_record(actor=district.user(actor), studio=studio, year=2024, innovations=7, trainees=5, patents=2)
    ss.output_record(actor=district.user("town_a"), studio=late, year=year, innovations=1, trainees=2, patents=0)
    reward_programmes(district)
    paid = submit(district, person=member(district.union_a).person)
    inn.item_grade(actor=district.user("town_a"), item=paid, grade=InnovationItem.Grade.SECOND, opinion="同意二等")
    pay(district, InnovationItem.objects.get(pk=paid.pk))
    waiting = submit(district, actor="chair_a")
    inn.item_grade(actor=district.user("town_a"), item=waiting, grade=InnovationItem.Grade.THIRD, opinion="同意三等")
    submit(district, actor="chair_a", title="未评审的项目")
    old = submit(district, actor="chair_a", title="去年的项目")
    InnovationItem.objects.filter(pk=old.pk).update(submitted_at=timezone.now() - timedelta(days=400))
    submit(district, union=district.union_b, actor="town_b")
    return district


def _figures(client, user, root, start, end):
    client.force_login(user)
    response = client.get(
        reverse("activities:figures"), {"root": root.pk, "start": start.isoformat(), "end": end.isoformat()}
    )
    assert response.status_code == 200
    return response.context["result"]


def _rows(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return [row.record for row in response.context["table"].paginator.object_list]


def _count(client, url) -> int:
    response = client.get(url)
    assert response.status_code == 200
    return response.context["table"].paginator.count


def test_each_studio_and_innovation_figure_equals_its_drill_down(client, world):
    district, today = world, timezone.localdate()
    for user, root in ((district.user("econ"), district.root), (district.user("town_a"), district.town_a)):
        for start, end in (
            (date(today.year, 1, 1), today),
            (date(2024, 1, 1), today),
            (date(2024, 1, 1), date(2024, 12, 31)),
        ):
            result = _figures(client, user, root, start, end)
            studios, items = result["studios"], result["innovation"]
            assert _count(client, result["innovation_studios_url"]) == studios.innovation_studios
            assert _count(client, result["model_worker_studios_url"]) == studios.model_worker_studios
            behind = StudioOutput.objects.filter(
                studio__in=_rows(client, result["output_url"]), year__gte=start.year, year__lte=end.year
            )
            assert sum(o.innovations for o in behind) == studios.innovations
            assert sum(o.trainees for o in behind) == studios.trainees
            assert sum(o.patents for o in behind) == studios.patents
            assert _count(client, result["items_url"]) == items.submitted
            assert _count(client, result["adopted_url"]) == items.adopted
            rewarded = _rows(client, result["rewarded_url"])
            assert len(rewarded) == items.rewarded and sum(i.amount for i in rewarded) == items.rewarded_yuan


def test_the_figures_by_hand(client, world):
    district, today = world, timezone.localdate()
    this_year = _figures(client, district.user("town_a"), district.town_a, date(today.year, 1, 1), today)
    s, i = this_year["studios"], this_year["innovation"]
    # 甲 and 丙 (plaqued today) are innovation studios of town A; 丁 is town B's
    assert (s.innovation_studios, s.model_worker_studios) == (2, 1)
    assert (s.innovations, s.trainees, s.patents) == (3 + 3 + 1, 10 + 10 + 2, 1 + 1 + 0)
    # three items of union A this year (the fourth was submitted 400 days ago; town B's is not counted)
    assert (i.submitted, i.adopted, i.rewarded, str(i.rewarded_yuan)) == (3, 2, 1, "500.00")
    in_2024 = _figures(client, district.user("town_a"), district.town_a, date(2024, 1, 1), date(2024, 12, 31))
    s = in_2024["studios"]
    assert (s.innovation_studios, s.model_worker_studios, s.innovations, s.trainees) == (1, 1, 14, 10)
    district_wide = _figures(client, district.user("econ"), district.root, date(today.year, 1, 1), today)
    assert district_wide["studios"].innovation_studios == 3 and district_wide["innovation"].submitted == 4


def test_a_town_sees_only_its_subtree_and_the_page_shows_the_links(client, world):
    district, today = world, timezone.localdate()
    client.force_login(district.user("town_b"))
    start = date(today.year, 1, 1)
    # town A's subtree is outside town B's scope: the picker refuses it, nothing is counted
    response = client.get(
        reverse("activities:figures"), {"root": district.town_a.pk, "start": start.isoformat(), "end": today}
    )
    assert response.status_code == 200 and response.context["result"] is None
    result = _figures(client, district.user("town_b"), district.town_b, start, today)
    assert (result["studios"].innovation_studios, result["innovation"].submitted) == (1, 1)
    html = client.get(
        reverse("activities:figures"), {"root": district.town_b.pk, "start": start.isoformat(), "end": today}
    ).content.decode()
    for testid in (
        "fig-innovation-studios",
        "fig-model-worker-studios",
        "fig-studio-innovations",
        "fig-items",
        "fig-adopted",
        "fig-rewarded",
    ):
        assert f'data-testid="{testid}"' in html
    for key in ("innovation_studios_url", "output_url", "items_url", "rewarded_url"):  # each figure its link
        assert f'href="{result[key].replace("&", "&amp;")}"' in html and "subtree=T-B&" in result[key]
