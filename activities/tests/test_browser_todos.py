"""In the browser: the town officer finds the innovation items waiting for their grading on the workbench
and follows the to-do to exactly those rows; the district's reviewer finds the 顺义工匠 nominees to score;
the figures page shows studios and innovation for a subtree and the cards open their rows."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import override_settings
from django.utils import timezone
from playwright.sync_api import expect

from activities import craftsmen_services as cs
from activities import studios_services as ss
from activities.studios import Studio
from activities.tests.browser_helpers import DESKTOP, PHONE, session, shot
from activities.tests.innovation_helpers import IMMEDIATE, reward_programmes, submit
from members.models import Honour
from members.tests.factories import member

pytestmark = pytest.mark.browser
DEEDS = "带领班组攻克叉车液压系统故障难题，年节约维修费用二十余万元，培养徒弟十二名。"


@override_settings(TASKS=IMMEDIATE)
def test_to_dos_lead_to_their_rows_and_the_figures_to_theirs(browser, live_server, browser_district, ui_login):
    d = browser_district
    today = timezone.localdate()
    reward_programmes(d)
    submit(d, person=member(d.union_a, name="李师傅").person, title="分拣台可调高度小设计", kind="design")
    submit(d, actor="chair_a", title="冷库门帘感应闭合")
    submit(d, union=d.union_b, actor="town_b", title="后沙峪的项目")  # another town's: not town A's to grade
    selection = cs.selection_open(
        actor=d.user("econ"), organiser=d.root, year=today.year, quota=1, nominations_close=today
    )
    for name in ("张师傅", "王师傅"):
        cs.nomination_add(
            actor=d.user("chair_a"), selection=selection, union=d.union_a,
            person=member(d.union_a, name=name).person, trade="叉车维修工", deeds=DEEDS,
        )  # fmt: skip
    cs.nominations_close(actor=d.user("econ"), selection=selection)
    leader = member(d.union_a, name="赵劳模").person
    Honour.objects.create(person=leader, title=Honour.Title.MODEL_WORKER, level="city", awarded_on=date(2020, 5, 1))
    for kind, name, who in (
        (Studio.Kind.INNOVATION, "数控创新工作室", None),
        (Studio.Kind.MODEL_WORKER, "赵劳模工作室", leader),
    ):
        studio = ss.studio_create(
            actor=d.user("town_a"), union=d.union_a, kind=kind, name=name,
            leader=who or member(d.union_a, name="钱师傅").person, level=Honour.Level.DISTRICT,
            plaque_on=date(2024, 4, 28), field="数控加工",
        )  # fmt: skip
        ss.output_record(actor=d.user("town_a"), studio=studio, year=today.year, innovations=4, trainees=9, patents=1)

    # the town officer: two items of union A wait for their grading; the to-do opens exactly those
    town = session(browser, ui_login, "town_a", DESKTOP)
    town.goto(f"{live_server.url}/")
    todo = town.get_by_test_id("todo-innovation-grade")
    expect(todo).to_contain_text("待我评审的创新项目")
    expect(todo).to_contain_text("2")
    shot(town, "workbench-todos-1440")
    todo.click()
    table = town.get_by_test_id("innovation-table")
    expect(table).to_contain_text("分拣台可调高度小设计")
    expect(table).to_contain_text("冷库门帘感应闭合")
    expect(table).not_to_contain_text("后沙峪的项目")
    shot(town, "innovation-todo-list-1440")
    phone = session(browser, ui_login, "town_a", PHONE)
    phone.goto(f"{live_server.url}/")
    expect(phone.get_by_test_id("todo-innovation-grade")).to_be_visible()
    shot(phone, "workbench-todos-390")
    phone.context.close()

    # the district's reviewer: the two nominees to score, on the nominations list
    econ = session(browser, ui_login, "econ", DESKTOP)
    econ.goto(f"{live_server.url}/")
    econ.get_by_test_id("todo-craftsmen-score").click()
    expect(econ.get_by_test_id("nomination-table")).to_contain_text("张师傅")
    expect(econ.get_by_test_id("nomination-table")).to_contain_text("王师傅")
    shot(econ, "craftsmen-todo-list-1440")

    # the figures page: studios and innovation of town A this year, each card opening its rows
    start = date(today.year, 1, 1).isoformat()
    town.goto(f"{live_server.url}/activities/figures/?root={d.town_a.pk}&start={start}&end={today.isoformat()}")
    expect(town.get_by_test_id("fig-innovation-studios")).to_have_text("1")
    expect(town.get_by_test_id("fig-model-worker-studios")).to_have_text("1")
    expect(town.get_by_test_id("fig-studio-innovations")).to_have_text("8")
    expect(town.get_by_test_id("fig-items")).to_have_text("2")
    shot(town, "figures-studios-innovation-1440")
    town.get_by_test_id("fig-model-worker-studios-link").click()
    expect(town.get_by_test_id("studio-table")).to_contain_text("赵劳模工作室")
    expect(town.get_by_test_id("studio-table")).not_to_contain_text("数控创新工作室")
    narrow = session(browser, ui_login, "town_a", PHONE)
    narrow.goto(f"{live_server.url}/activities/figures/?root={d.town_a.pk}&start={start}&end={today.isoformat()}")
    expect(narrow.get_by_test_id("fig-items")).to_have_text("2")
    shot(narrow, "figures-studios-innovation-390")
