"""Innovation pages: the office's form, the list with its counts and drill-down, xlsx, grading on the
item's page, the worker's portal submission, and scope (404 outside)."""

from __future__ import annotations

import io

import pytest
from django.test import override_settings
from django.utils import timezone
from openpyxl import load_workbook

from activities import innovation_services as inn
from activities.innovation import InnovationItem
from activities.tests.innovation_helpers import CONTENT, IMMEDIATE, pay, reward_programmes, submit
from members.tests.factories import member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _immediate_tasks():
    with override_settings(TASKS=IMMEDIATE):
        yield


def test_office_form_list_counts_drill_down_and_export(client, district):
    reward_programmes(district)
    person = member(district.union_a, name="周师傅").person
    client.force_login(district.user("chair_a"))
    form = {
        "union": district.union_a.pk, "applicant": "member", "person_name": "周师傅",
        "person_id_number": person.id_number, "kind": "suggestion", "title": "叉车通道单向循环",
        "content": CONTENT, "benefit": "",
    }  # fmt: skip
    wrong = client.post("/activities/innovation/", {**form, "person_name": "吴师傅"}, follow=True)
    assert "姓名与身份证号不符" in wrong.content.decode() and not InnovationItem.objects.exists()
    client.post("/activities/innovation/", form)
    client.post("/activities/innovation/", {**form, "applicant": "unit", "title": "单位项目：充电柜改造"})
    member_item, unit_item = InnovationItem.objects.order_by("pk")
    assert (member_item.person, unit_item.person) == (person, None)
    submit(district, union=district.union_b, actor="town_b", title="乙镇项目")
    # the union above grades on the item's page; the chair may not
    grade = {"grade": "first", "opinion": "同意，一等"}
    refused = client.post(f"/activities/innovation/{member_item.pk}/", grade, follow=True).content.decode()
    assert "只有申报单位的上级工会可以评审" in refused
    client.force_login(district.user("town_a"))
    page = client.get(f"/activities/innovation/{member_item.pk}/").content.decode()
    assert 'data-testid="grade-form"' in page
    client.post(f"/activities/innovation/{member_item.pk}/", {"grade": "first", "opinion": ""})
    member_item.refresh_from_db()
    assert member_item.state == "submitted"  # no opinion: refused, nothing changed
    client.post(f"/activities/innovation/{member_item.pk}/", grade)
    member_item.refresh_from_db()
    assert (member_item.grade, str(member_item.amount)) == ("first", "1000.00")
    pay(district, member_item)
    year = timezone.localdate().year
    listing = client.get("/activities/innovation/", {"subtree": district.town_a.code, "year": year}).content.decode()
    assert "叉车通道单向循环" in listing and "乙镇项目" not in listing
    assert 'data-testid="innovation-counts"' in listing
    assert f"?subtree={district.town_a.code}&amp;year={year}&amp;adopted=true" in listing
    adopted = client.get("/activities/innovation/", {"subtree": district.town_a.code, "year": year, "adopted": "true"})
    assert "叉车通道单向循环" in adopted.content.decode() and "充电柜改造" not in adopted.content.decode()
    export = client.get("/activities/innovation/", {"rewarded": "true", "export": "xlsx"})
    body = b"".join(export.streaming_content)
    rows = list(load_workbook(io.BytesIO(body)).active.iter_rows(values_only=True))
    assert any("叉车通道单向循环" in (c or "") for r in rows for c in r if isinstance(c, str))
    assert any(1000 in r or 1000.0 in r for r in rows)
    client.force_login(district.user("town_b"))
    assert client.get(f"/activities/innovation/{member_item.pk}/").status_code == 404
    assert client.post(f"/activities/innovation/{unit_item.pk}/", grade).status_code == 404
    assert client.get("/activities/innovation/999999999999999999999999999999/").status_code == 404
    assert client.get("/activities/innovation/?year=0&subtree=NaN").status_code == 200


def test_worker_submits_in_the_portal(client, district):
    person = member(district.union_a, name="钱小工").person
    worker = district.user("worker_a")
    person.user = worker
    person.save(update_fields=["user"])
    client.force_login(worker)
    assert "创新项目申报" in client.get("/portal/innovation/").content.decode()
    short = client.post("/portal/innovation/", {"kind": "invention", "title": "防滑扳手", "content": "太短"})
    assert "不少于 20 字" in short.content.decode() and not InnovationItem.objects.exists()
    done = client.post(
        "/portal/innovation/", {"kind": "invention", "title": "防滑扳手", "content": CONTENT}, follow=True
    ).content.decode()
    item = InnovationItem.objects.get()
    assert (item.person, item.union, item.channel) == (person, district.union_a, "portal")
    assert "防滑扳手" in done and "待评审" in done
    inn.item_grade(actor=district.user("town_a"), item=item, grade="none", opinion="效益不足")
    assert "不予奖励" in client.get("/portal/innovation/").content.decode()
    # the worker sees only their own items and never the office pages
    assert client.get("/activities/innovation/").status_code == 403
