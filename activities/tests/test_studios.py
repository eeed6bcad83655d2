"""Studios: registration rules, yearly output, counts per subtree and year, pages and scope."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from activities import studios_services as ss
from activities.studios import Studio, StudioOutput
from members.models import Honour
from members.tests.factories import member

pytestmark = pytest.mark.django_db


def _studio(district, *, union=None, kind=Studio.Kind.INNOVATION, name="张师傅创新工作室", leader=None, **changes):
    union = union or district.union_a
    leader = leader or member(union, name="张师傅").person
    fields = {
        "actor": district.user("town_a" if union.path.startswith(district.town_a.path) else "town_b"),
        "union": union, "kind": kind, "name": name, "leader": leader, "level": Honour.Level.DISTRICT,
        "plaque_on": date(2024, 4, 28), "field": "数控加工",
    }  # fmt: skip
    fields.update(changes)
    return ss.studio_create(**fields)


def test_model_worker_studio_needs_an_honoured_leader(district):
    leader = member(district.union_a, name="李劳模").person
    with pytest.raises(ValidationError, match="不能领办劳模工作室"):
        _studio(district, kind=Studio.Kind.MODEL_WORKER, leader=leader)
    Honour.objects.create(person=leader, title=Honour.Title.MODEL_WORKER, level="city", awarded_on=date(2020, 5, 1))
    studio = _studio(district, kind=Studio.Kind.MODEL_WORKER, leader=leader, name="李劳模工作室")
    assert studio.get_kind_display() == "劳模工作室"


def test_studio_refusals(district):
    outsider = member(district.union_b, name="赵师傅").person
    with pytest.raises(ValidationError, match="不是沙坨村工会联合会（含下级）的在册会员"):
        _studio(district, leader=outsider)
    with pytest.raises(PermissionDenied):
        _studio(district, actor=district.user("town_b"))
    with pytest.raises(ValidationError, match="授牌日期"):
        _studio(district, plaque_on=date(1, 1, 1))
    with pytest.raises(ValidationError, match="类型"):
        _studio(district, kind="x")
    _studio(district)
    with pytest.raises(ValidationError, match="已有名为"):
        _studio(district)
    assert Studio.objects.count() == 1


def test_output_rows_and_counts_per_subtree_and_year(district):
    a = _studio(district)
    b = _studio(district, union=district.union_b, leader=member(district.union_b).person, name="乙工作室")
    this_year = timezone.localdate().year
    ss.output_record(actor=district.user("town_a"), studio=a, year=this_year, innovations=3, trainees=12, patents=1)
    ss.output_record(actor=district.user("town_a"), studio=a, year=this_year, innovations=4, trainees=12, patents=1)
    ss.output_record(actor=district.user("town_b"), studio=b, year=this_year, innovations=5, trainees=2, patents=0)
    assert StudioOutput.objects.filter(studio=a).count() == 1  # the second saves over the first
    for bad in ({"year": 2023}, {"year": this_year + 1}, {"innovations": -1}, {"patents": 100_001}):
        with pytest.raises(ValidationError):
            ss.output_record(
                actor=district.user("town_a"), studio=a,
                **{"year": this_year, "innovations": 1, "trainees": 1, "patents": 1, **bad},
            )  # fmt: skip
    with pytest.raises(PermissionDenied):
        ss.output_record(actor=district.user("town_b"), studio=a, year=this_year, innovations=1, trainees=1, patents=1)
    town_a = ss.studio_counts(district.user("econ"), district.town_a, this_year)
    assert (town_a.innovation_studios, town_a.innovations, town_a.trainees) == (1, 4, 12)
    whole = ss.studio_counts(district.user("econ"), district.root, this_year)
    assert (whole.innovation_studios, whole.innovations, whole.patents) == (2, 9, 1)
    assert ss.studio_counts(district.user("econ"), district.root, 2023).innovation_studios == 0  # not plaqued yet
    # a town officer counts only their own subtree, even asking for the district
    assert ss.studio_counts(district.user("town_b"), district.root, this_year).innovations == 5


def test_pages_scope_and_export(client, district):
    leader = member(district.union_a, name="张师傅").person
    client.force_login(district.user("town_a"))
    form = {
        "union": district.union_a.pk, "kind": "innovation", "name": "张师傅创新工作室", "leader_name": "张师傅",
        "leader_id_number": leader.id_number, "level": "district", "plaque_on": "2024-04-28", "field": "数控",
    }  # fmt: skip
    wrong = client.post("/activities/studios/", {**form, "leader_name": "王师傅"}, follow=True)
    assert "姓名与身份证号不符" in wrong.content.decode()
    assert not Studio.objects.exists()
    client.post("/activities/studios/", form)
    studio = Studio.objects.get()
    year = timezone.localdate().year
    client.post(f"/activities/studios/{studio.pk}/", {"year": year, "innovations": 2, "trainees": 8, "patents": 1})
    assert studio.outputs.get().trainees == 8
    bad = client.post(f"/activities/studios/{studio.pk}/", {"year": "NaN", "innovations": 2}, follow=True)
    assert bad.status_code == 200 and studio.outputs.count() == 1
    page = client.get("/activities/studios/").content.decode()
    assert "张师傅创新工作室" in page and "培训带徒" in page
    assert client.get("/activities/studios/?export=xlsx").status_code == 200
    client.force_login(district.user("town_b"))
    assert client.get(f"/activities/studios/{studio.pk}/").status_code == 404
    assert (
        client.post(
            f"/activities/studios/{studio.pk}/", {"year": year, "innovations": 0, "trainees": 0, "patents": 0}
        ).status_code
        == 404
    )
    assert "张师傅创新工作室" not in client.get("/activities/studios/").content.decode()
    assert client.get("/activities/studios/?subtree=999999999999999999999999999").status_code == 200
