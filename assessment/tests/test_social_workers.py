"""Social workers as assessees: indicators over the unions each served (on the days they served them),
manual scores, publication into the yearly evaluation, scope and pages."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from activities.models import Activity
from appeals.models import Appeal
from appeals.tests.factories import at, make_appeal
from assessment import selectors, services
from assessment.models import Assessment, AssessmentResult, EvaluationWrite
from assessment.testing import WORKER_BANDS
from assessment.tests.factories import A
from assessment.tests.test_views import _set_post
from cadres import services as cadres_services
from cadres.models import Assignment, Attendance, Evaluation
from cadres.tests.factories import cadre, training_class
from cadres.tests.test_recruitment import run_recruitment
from conftest import make_user
from orgs.roles import Role
from orgs.services import role_grant

pytestmark = pytest.mark.django_db
S = Assessment.State
INDICATORS = [
    A("诉求响应率", "20", "auto", "appeals_response", floor="0", target="100"),
    A("诉求解决率", "20", "auto", "appeals_resolution", floor="0", target="100"),
    A("诉求满意率", "20", "auto", "appeals_satisfaction", floor="0", target="100"),
    A("处理诉求件数", "10", "auto", "appeals_handled", floor="0", target="4"),
    A("参加培训次数", "10", "auto", "trainings_attended", floor="0", target="1"),
    A("服务对象评价", "20"),
]


def workers_world(district: Any) -> dict[str, Any]:
    """Two workers employed by 仁和镇 (town A), in service from 10 April 2026:

    - 社工甲 serves 沙坨村 (union A) 10 Apr – 30 Jun, and 西泗上村 (union B, town B) from 1 May;
    - 社工乙 serves 沙坨村 from 30 Jun (the changeover day is 乙's).

    Requests: 沙坨村 1 Mar (nobody's), 1 May (甲: in time, resolved, 满意), 29 Jun (甲: late, open),
    30 Jun (乙: in time, resolved, 基本满意); 西泗上村 20 Apr (nobody's: before 甲 came), 1 Jul (甲: in
    time, resolved, not rated). Reviewed activities at 沙坨村: 1 Mar (nobody's), 10 May (甲), 1 Jul (乙).
    甲 (through the cadre record on their account) completed a class on 20 May 2026 and one in 2025."""
    admin = district.user("admin")
    jia, yi = run_recruitment(district, district.town_a, ["社工甲", "社工乙"])
    workers = []
    for worker, username in ((jia, "sg_jia"), (yi, "sg_yi")):
        user = make_user(username)
        role_grant(actor=None, user=user, role=Role.SOCIAL_WORKER, organisation=district.town_a)
        worker = cadres_services.social_worker_update(actor=admin, worker=worker, user=user)
        workers.append(cadres_services.probation_conclude(actor=admin, worker=worker, passed=True))
    jia, yi = workers
    ua, ub = district.union_a, district.union_b
    Assignment.objects.create(
        social_worker=jia, organisation=ua, started_on=date(2026, 4, 10), ended_on=date(2026, 6, 30)
    )
    Assignment.objects.create(social_worker=jia, organisation=ub, started_on=date(2026, 5, 1))
    Assignment.objects.create(social_worker=yi, organisation=ua, started_on=date(2026, 6, 30))
    requests = {
        "none_a": (ua, at(2026, 3, 1), {"contacted_in_time": True}),
        "jia_1": (ua, at(2026, 5, 1), {"contacted_in_time": True, "resolved": True, "rating": Appeal.Rating.SATISFIED}),
        "jia_2": (ua, at(2026, 6, 29), {"contacted_in_time": False, "resolved": False}),
        "yi_1": (ua, at(2026, 6, 30), {"contacted_in_time": True, "resolved": True, "rating": Appeal.Rating.BASIC}),
        "none_b": (ub, at(2026, 4, 20), {"contacted_in_time": True}),
        "jia_3": (ub, at(2026, 7, 1), {"contacted_in_time": True, "resolved": True}),
    }
    appeals = {}
    for key, (org, when, flags) in requests.items():
        appeal = make_appeal(district, org=org, when=when)
        Appeal.objects.filter(pk=appeal.pk).update(**flags)
        appeals[key] = appeal
    for day in (date(2026, 3, 1), date(2026, 5, 10), date(2026, 7, 1)):
        Activity.objects.create(
            organisation=ua, title=f"活动{day}", held_on=day, reported_at=at(2026, 9, 1), state=Activity.State.REVIEWED
        )
    who = cadre(district, ua, "社工甲", user=jia.user)
    for starts, ends in ((date(2026, 5, 18), date(2026, 5, 20)), (date(2025, 5, 18), date(2025, 5, 20))):
        klass = training_class(district, district.root, f"社工培训{starts.year}", starts, ends)
        cadres_services.attendance_record(
            actor=admin, training_class=klass, cadre=who, status=Attendance.Status.COMPLETED, completed_on=ends
        )
    return {"jia": jia, "yi": yi, "appeals": appeals}


def worker_set(district: Any, indicators: list[A] | None = None) -> Any:
    return services.indicator_set_create(
        actor=district.user("admin"),
        organisation=district.root,
        year=2026,
        assessee_kind="social_worker",
        name="2026 年度工会社会工作者考核",
        indicators=indicators or INDICATORS,
        grade_bands=WORKER_BANDS,
        reviewers=[district.user("org_dept"), district.user("auditor")],
    )


def score(district: Any, indicator_set: Any, worker: Any, marks: tuple[str, str]) -> None:
    manual = indicator_set.indicators.get(source="manual")
    for key, mark in zip(("org_dept", "auditor"), marks, strict=True):
        services.manual_score_record(
            actor=district.user(key),
            indicator=manual,
            social_worker=worker,
            score=D(mark),
            evidence="服务台账、回访记录",
        )


def compute_publish(district: Any, indicator_set: Any) -> Assessment:
    version = services.assessment_compute(actor=district.user("admin"), indicator_set=indicator_set)
    services.assessment_review(actor=district.user("org_dept"), assessment=version)
    return services.assessment_publish(actor=district.user("org_dept"), assessment=version)


def lines_of(result: AssessmentResult) -> dict[str, tuple[str | None, str | None]]:
    return {
        s["key"] or "manual": (result.lines[str(s["position"])]["value"], result.lines[str(s["position"])]["points"])
        for s in result.assessment.indicators
    }


def test_a_set_of_social_workers_refuses_organisation_indicators_and_grades_that_are_no_evaluation(district):
    with pytest.raises(ValidationError, match="第 1 项指标“组织会员人数”不适用于此类考核对象"):
        worker_set(district, [A("组织会员人数", "100", "auto", "members_organised")])
    with pytest.raises(ValidationError, match="第 1 项指标“处理诉求件数”不适用于此类考核对象"):
        services.indicator_set_create(
            actor=district.user("admin"),
            organisation=district.root,
            year=2026,
            assessee_kind="joint",
            name="x",
            indicators=[A("处理诉求件数", "100", "auto", "appeals_handled")],
            grade_bands=WORKER_BANDS,
        )
    for bands, message in (
        ([{"min_score": "60", "grade": "合格"}, {"min_score": "0", "grade": "不称职"}], "“合格”不是"),
        ([{"min_score": "60", "grade": "称职"}], "最低一档应从 0 分起"),
    ):
        with pytest.raises(ValidationError, match=message):
            services.indicator_set_create(
                actor=district.user("admin"),
                organisation=district.root,
                year=2026,
                assessee_kind="social_worker",
                name="x",
                indicators=[A("服务对象评价", "100")],
                grade_bands=bands,
            )
    assert not district.root.indicator_sets.exists()


def test_each_worker_is_scored_on_the_unions_they_served_on_the_days_they_served_them(district):
    world = workers_world(district)
    jia, yi = world["jia"], world["yi"]
    # 社工丙, still on probation, and a worker of another district subtree are not assessees.
    (probation,) = run_recruitment(district, district.town_b, ["社工丙"])
    indicator_set = worker_set(district)
    assert set(services.workers_of(indicator_set)) == {jia, yi}
    with pytest.raises(ValidationError, match="“社工丙”不是本指标体系的考核对象"):
        score(district, indicator_set, probation, ("80", "90"))
    score(district, indicator_set, jia, ("80", "90"))  # mean 85.00 → 17.00 of 20
    score(district, indicator_set, yi, ("70", "70"))  # 70.00 → 14.00
    version = services.assessment_compute(actor=district.user("admin"), indicator_set=indicator_set)
    assert version.assessees == 2
    results = {r.social_worker: r for r in version.results.all()}
    r_jia, r_yi = results[jia], results[yi]
    assert r_jia.organisation == district.town_a  # the employer
    # 甲: requests 1 May, 29 Jun (沙坨村) and 1 Jul (西泗上村): in time 2/3, resolved 2/3, rated 1 (满意).
    a = world["appeals"]
    assert lines_of(r_jia) == {
        "appeals_response": ("66.7", "13.34"),
        "appeals_resolution": ("66.7", "13.34"),
        "appeals_satisfaction": ("100.0", "20.00"),
        "appeals_handled": ("3", "7.50"),
        "trainings_attended": ("1", "10.00"),
        "manual": ("85.00", "17.00"),
    }
    assert sorted(r_jia.lines["1"]["rows"]) == sorted([a["jia_1"].pk, a["jia_2"].pk, a["jia_3"].pk])
    assert r_jia.lines["3"]["rows"] == [a["jia_1"].pk]
    # 乙: the changeover day's request (30 Jun, in time, resolved, 基本满意 × 0.8); no training (a 0).
    assert lines_of(r_yi) == {
        "appeals_response": ("100.0", "20.00"),
        "appeals_resolution": ("100.0", "20.00"),
        "appeals_satisfaction": ("80.0", "16.00"),
        "appeals_handled": ("1", "2.50"),
        "trainings_attended": ("0", "0.00"),
        "manual": ("70.00", "14.00"),
    }
    assert r_yi.lines["1"]["rows"] == [a["yi_1"].pk]
    # totals: 甲 13.34 + 13.34 + 20 + 7.5 + 10 + 17 = 81.18 (称职); 乙 72.50 (基本称职)
    assert (r_jia.total, r_jia.rank, r_jia.grade) == (D("81.18"), 1, "称职")
    assert (r_yi.total, r_yi.rank, r_yi.grade) == (D("72.50"), 2, "基本称职")
    # activities, for the same assignments: one each (1 Mar was nobody's)
    activity_set = services.indicator_set_create(
        actor=district.user("admin"),
        organisation=district.town_a,
        year=2026,
        assessee_kind="social_worker",
        name="仁和镇社工考核",
        indicators=[A("开展活动次数", "100", "auto", "activities_held", floor="0", target="2")],
        grade_bands=WORKER_BANDS,
    )
    v = services.assessment_compute(actor=district.user("town_a"), indicator_set=activity_set)
    assert {r.social_worker.name: r.lines["1"]["value"] for r in v.results.all()} == {"社工甲": "1", "社工乙": "1"}
    # the organisations' programmes never read a worker's result as their union's
    compute_publish(district, indicator_set)
    assert not selectors.published_results(2026).filter(social_worker__isnull=False).exists()


def test_publishing_writes_the_yearly_evaluation_and_a_new_version_replaces_it_with_history(district):
    world = workers_world(district)
    jia, yi = world["jia"], world["yi"]
    admin = district.user("admin")
    # before any publication a reviewer may enter 乙's evaluation by hand
    cadres_services.evaluation_record(actor=admin, worker=yi, year=2026, result="excellent", score=D("95"))
    indicator_set = worker_set(district)
    score(district, indicator_set, jia, ("80", "90"))
    score(district, indicator_set, yi, ("70", "70"))
    v1 = compute_publish(district, indicator_set)
    e_jia, e_yi = (Evaluation.objects.get(social_worker=w, year=2026) for w in (jia, yi))
    assert (e_jia.result, e_jia.score, e_jia.source) == ("competent", D("81.18"), "assessment")
    assert (e_yi.result, e_yi.score, e_yi.source) == ("basic", D("72.50"), "assessment")
    assert "第 1 版" in e_jia.note
    # the reviewer's entry it replaced is kept
    assert EvaluationWrite.objects.get(evaluation=e_yi).before["result"] == "优秀"
    assert "写入 2 名社工年度评价" in v1.events.get(kind="publish").summary
    # a hand entry cannot override the published result: refused, nothing changes
    with pytest.raises(ValidationError, match="来自已发布的绩效考核，不能手工录入覆盖"):
        cadres_services.evaluation_record(actor=admin, worker=jia, year=2026, result="excellent", score=D("99"))
    assert Evaluation.objects.get(pk=e_jia.pk).score == D("81.18")
    # data changes: the published version does not move; version 2 shows the difference ...
    Appeal.objects.filter(pk=world["appeals"]["jia_2"].pk).update(contacted_in_time=True)
    r1 = v1.results.get(social_worker=jia)
    assert AssessmentResult.objects.get(pk=r1.pk).total == D("81.18")
    v2 = services.assessment_compute(actor=admin, indicator_set=indicator_set)
    (diff,) = v2.differences
    assert (diff["name"], diff["before"], diff["after"]) == ("社工甲", "81.18", "87.84")
    assert Evaluation.objects.get(pk=e_jia.pk).score == D("81.18")  # unpublished: the evaluation waits
    # ... and once published, the evaluation follows it, with both writes in its history
    services.assessment_review(actor=district.user("org_dept"), assessment=v2)
    services.assessment_publish(actor=district.user("org_dept"), assessment=v2)
    e_jia.refresh_from_db()
    assert (e_jia.score, e_jia.result, Evaluation.objects.filter(social_worker=jia).count()) == (
        D("87.84"),
        "competent",
        1,
    )
    history = list(selectors.evaluation_history(v2.results.get(social_worker=jia)))
    assert [(w.assessment.version, w.before and w.before["score"]) for w in history] == [(1, None), (2, "81.18")]


def test_a_town_officer_sees_only_the_workers_assigned_in_its_subtree(district, client, login):
    world = workers_world(district)
    jia, yi = world["jia"], world["yi"]
    indicator_set = worker_set(district)
    version = compute_publish(district, indicator_set)
    r_jia, r_yi = version.results.get(social_worker=jia), version.results.get(social_worker=yi)
    # town B: 甲 served 西泗上村 there; 乙 never served town B
    town_b = district.user("town_b")
    assert set(selectors.visible_results(town_b)) == {r_jia}
    login(town_b)
    page = client.get(f"/assessment/results/{r_jia.pk}/")
    assert page.status_code == 200 and "社工甲" in page.content.decode() and "年度评价写入记录" in page.content.decode()
    assert client.get(f"/assessment/results/{r_yi.pk}/").status_code == 404
    # the drill-down: of 甲's 3 requests, town B sees the one at 西泗上村
    rows = client.get(f"/assessment/results/{r_jia.pk}/lines/1/").content.decode()
    assert "计算时依据 3 条记录，您可查看其中 1 条" in rows
    # the chair of 沙坨村 sees both (each served it in 2026)
    assert set(selectors.visible_results(district.user("chair_a"))) == {r_jia, r_yi}
    # the list's xlsx names the kind and the worker
    login(district.user("admin"))
    listing = client.get("/assessment/?kind=social_worker")
    assert listing.status_code == 200 and "社工乙" in listing.content.decode()
    export = client.get(f"/assessment/versions/{version.pk}/?export=xlsx")
    sheet = load_workbook(_bytes(export)).active
    header = [c.value for c in sheet[1]]
    assert {"社工", "考核对象类别"} <= set(header)
    row = [c.value for c in sheet[2]]
    assert (row[header.index("社工")], row[header.index("考核对象类别")]) == ("社工甲", "工会社会工作者")


def test_a_reviewer_scores_a_worker_on_the_page(district, client, login):
    world = workers_world(district)
    indicator_set = worker_set(district)
    manual = indicator_set.indicators.get(source="manual")
    login(district.user("org_dept"))
    url = f"/assessment/indicators/{manual.pk}/score/"
    assert "社工甲（仁和镇总工会）" in client.get(url).content.decode()
    for bad in (
        {"social_worker": "999999999999999999999999999999", "score": "80", "evidence": "x"},
        {"social_worker": world["jia"].pk, "score": "NaN", "evidence": "x"},
        {"social_worker": world["jia"].pk, "score": "101", "evidence": "x"},
    ):
        assert client.post(url, bad).status_code == 200
    assert not manual.manual_scores.exists()
    response = client.post(url, {"social_worker": world["jia"].pk, "score": "88", "evidence": "回访满意"})
    assert response.status_code == 302
    assert manual.manual_scores.get().social_worker == world["jia"]


def _bytes(response: Any) -> Any:
    from io import BytesIO

    return BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)


NINES = "9" * 30


def test_hostile_users_and_input_change_nothing_and_see_no_personnel_score(district, client, login):
    """A fellow worker, a neighbouring town, an auditor; 30-digit ids, NaN, year 0: a 404 or a Chinese
    refusal, never a 500, and the published results and evaluations do not move."""
    world = workers_world(district)
    jia, yi = world["jia"], world["yi"]
    indicator_set = worker_set(district)
    score(district, indicator_set, jia, ("80", "90"))
    version = services.assessment_compute(actor=district.user("admin"), indicator_set=indicator_set)
    r_jia, r_yi = version.results.get(social_worker=jia), version.results.get(social_worker=yi)
    # a worker does not see even their own draft; once published, their own result and no colleague's
    login(yi.user)
    assert client.get(f"/assessment/results/{r_yi.pk}/").status_code == 404
    services.assessment_review(actor=district.user("org_dept"), assessment=version)
    services.assessment_publish(actor=district.user("org_dept"), assessment=version)
    assert set(selectors.visible_results(yi.user)) == {r_yi}  # ORG_VIEW over the town is not CADRE_VIEW
    assert client.get(f"/assessment/results/{r_yi.pk}/").status_code == 200
    for url in (f"/assessment/results/{r_jia.pk}/", f"/assessment/results/{r_jia.pk}/lines/1/"):
        assert client.get(url).status_code == 404
    assert "社工甲" not in client.get("/assessment/?kind=social_worker").content.decode()
    assert client.get(f"/api/v1/assessment/results/{r_jia.pk}/").status_code == 404
    before = {e.pk: (e.result, e.score, e.source) for e in Evaluation.objects.all()}
    assert len(before) == 2
    # the auditor (a named reviewer, ORG_VIEW over the district) and a worker hold no ORG_CHANGE: refused
    # for their role (403); a neighbouring town's officer, who does, does not find the version (404)
    for user, expected in ((district.user("auditor"), 403), (district.user("town_b"), 404), (yi.user, 403)):
        login(user)
        for action in ("review", "reopen", "publish"):
            assert client.post(f"/assessment/versions/{version.pk}/{action}/").status_code == expected
        assert client.post(f"/assessment/sets/{indicator_set.pk}/compute/").status_code in (403, 404)
    assert Assessment.objects.get(pk=version.pk).state == S.PUBLISHED and indicator_set.assessments.count() == 1
    # town B: not 乙's rows either (乙 never served there)
    login(district.user("town_b"))
    assert client.get(f"/assessment/results/{r_yi.pk}/lines/1/").status_code == 404
    # 30-digit ids and bad numbers: 404 or a Chinese message
    login(district.user("admin"))
    for url in (
        f"/assessment/results/{NINES}/",
        f"/assessment/results/{r_jia.pk}/lines/{NINES}/",
        f"/assessment/versions/{NINES}/",
        f"/assessment/indicators/{NINES}/score/",
        f"/api/v1/assessment/results/{NINES}/",
    ):
        assert client.get(url).status_code == 404, url
    for query in (f"social_worker={NINES}", "year=0", "year=NaN", f"year={NINES}", "kind=nonsense"):
        assert client.get(f"/assessment/?{query}").status_code == 200, query
        assert client.get(f"/api/v1/assessment/results/?{query}").status_code in (200, 400), query
    # a hand entry over the published year, year 0, a NaN score, through the worker's page: the page
    # again (200) with a Chinese refusal
    for bad, message in (
        ({"year": "2026", "result": "excellent", "score": "99"}, "来自已发布的绩效考核，不能手工录入覆盖"),
        ({"year": "0", "result": "excellent", "score": "99"}, "确保该值大于或等于2000"),
        ({"year": "2026", "result": "excellent", "score": "NaN"}, "输入一个数字"),
    ):
        page = client.post(f"/cadres/social-workers/{jia.pk}/", {"action": "evaluate", **bad})
        assert page.status_code == 200 and message in page.content.decode(), bad
    # a workers' set for year 0 or with a NaN weight is refused on the form
    for year, weight, message in (("0", "50", "确保该值大于或等于2000"), ("2026", "NaN", "输入一个数字")):
        data = {**_set_post(("50", weight)), "organisation": district.root.pk, "year": year}
        data.update({"assessee_kind": "social_worker", "grade_bands": "90 优秀\n75 称职\n60 基本称职\n0 不称职"})
        data.update({"ind-0-source": "appeals_handled", "ind-0-label": "处理诉求件数", "name": "坏数据"})
        page = client.post("/assessment/sets/new/", data)
        assert page.status_code == 200 and message in page.content.decode(), year
    assert indicator_set.organisation.indicator_sets.count() == 1
    assert {e.pk: (e.result, e.score, e.source) for e in Evaluation.objects.all()} == before
