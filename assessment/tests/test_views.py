from __future__ import annotations

from decimal import Decimal as D

import pytest

from assessment.models import Assessment, AssessmentResult, IndicatorSet, ManualScore
from assessment.tests.factories import joint_set, publish, score_both, small_world
from orgs.roles import Perm
from orgs.testing import DETAIL, EXPORT, LIST, ScopedRoute, check_route, count_queries, load_budgets
from orgs.testing import _xlsx_text as xlsx_text

pytestmark = pytest.mark.django_db
BUDGETS = load_budgets(__file__)
THIRTY_DIGITS = "9" * 30


@pytest.fixture
def published(district):
    small_world(district)
    s = joint_set(district)
    score_both(district, s)
    version = publish(district, s)
    return (
        version,
        version.results.get(organisation=district.union_a),
        version.results.get(organisation=district.union_b),
    )


@pytest.mark.parametrize(
    "route",
    [
        ScopedRoute("results", LIST, Perm.ORG_VIEW, lambda r: "/assessment/", lambda r: r.organisation.name),
        ScopedRoute(
            "export", EXPORT, Perm.ORG_VIEW, lambda r: "/assessment/?export=xlsx", lambda r: r.organisation.name
        ),
        ScopedRoute("result", DETAIL, Perm.ORG_VIEW, lambda r: f"/assessment/results/{r.pk}/"),
        ScopedRoute("rows", DETAIL, Perm.ORG_VIEW, lambda r: f"/assessment/results/{r.pk}/lines/1/"),
    ],
    ids=lambda r: r.name,
)
def test_scope_matrix(client, district, published, route):
    _, a, b = published
    inside = {"admin": a, "org_dept": b, "auditor": a, "town_a": a, "chair_a": a, "worker_a": a}
    outside = {"town_a": b, "town_b": a, "chair_a": b}
    assert check_route(client, district, route, inside=inside, outside=outside) == []


def test_the_chair_follows_an_indicator_to_its_rows(client, district, published):
    _, a, _ = published
    client.force_login(district.user("chair_a"))
    page = client.get(f"/assessment/results/{a.pk}/").content.decode()
    assert "75.00" in page and "良好" in page and "3 条" in page
    rows = client.get(f"/assessment/results/{a.pk}/lines/1/").content.decode()
    assert "活动1" in rows and "活动3" in rows and "未报送" not in rows and "计算时依据 3 条记录" in rows
    manual = client.get(f"/assessment/results/{a.pk}/lines/3/").content.decode()
    assert "台账齐全" in manual  # the two reviewers' scores and evidence
    assert client.get(f"/assessment/results/{a.pk}/lines/99/").status_code == 404
    assert client.get(f"/assessment/results/{THIRTY_DIGITS}/").status_code == 404


def test_an_unpublished_version_is_hidden_from_the_assessee(client, district):
    s = joint_set(district)
    from assessment import services

    v = services.assessment_compute(actor=district.user("admin"), indicator_set=s)
    result = v.results.get(organisation=district.union_a)
    client.force_login(district.user("chair_a"))
    assert client.get(f"/assessment/results/{result.pk}/").status_code == 404
    assert client.get(f"/assessment/versions/{v.pk}/").status_code == 404
    assert client.get(f"/assessment/sets/{s.pk}/").status_code == 404


def _set_post(weights=("60", "40")):
    data = {
        "organisation": "",
        "year": "2026",
        "assessee_kind": "joint",
        "name": "2026 年联合会考核",
        "pass_score": "60",
        "manual_rule": "mean",
        "grade_bands": "90 优秀\n60 合格\n0 不合格",
        "reviewers": "org_dept auditor",
        "ind-TOTAL_FORMS": "8",
        "ind-INITIAL_FORMS": "0",
        "ind-MIN_NUM_FORMS": "8",
        "ind-MAX_NUM_FORMS": "20",
    }
    rows = [("activities_held", "开展活动次数", weights[0], "0", "4"), ("manual", "规范化建设", weights[1], "", "")]
    for i in range(8):
        source, label, weight, floor, target = rows[i] if i < len(rows) else ("manual", "", "", "", "")
        data.update(
            {
                f"ind-{i}-source": source,
                f"ind-{i}-label": label,
                f"ind-{i}-weight": weight,
                f"ind-{i}-score_min": "0",
                f"ind-{i}-score_max": "100",
                f"ind-{i}-floor": floor,
                f"ind-{i}-target": target,
            }
        )
    return data


def test_the_district_sets_up_computes_reviews_publishes_and_exports(client, district):
    small_world(district)
    client.force_login(district.user("admin"))
    data = {**_set_post(("60", "30")), "organisation": str(district.root.pk)}
    r = client.post("/assessment/sets/new/", data)
    assert r.status_code == 200 and "各项指标权重合计为 90.00 分，应为 100 分" in r.content.decode()
    assert not IndicatorSet.objects.exists()
    r = client.post("/assessment/sets/new/", {**_set_post(), "organisation": str(district.root.pk)})
    s = IndicatorSet.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/assessment/sets/{s.pk}/"
    assert [u.username for u in s.reviewers.order_by("username")] == ["auditor", "org_dept"]
    r = client.post(f"/assessment/sets/{s.pk}/compute/")
    v = Assessment.objects.get()
    assert r["Location"] == f"/assessment/versions/{v.pk}/"
    page = client.get(f"/assessment/versions/{v.pk}/").content.decode()
    assert 'data-testid="review"' not in page  # the computer does not review
    assert client.post(f"/assessment/versions/{v.pk}/publish/").status_code == 302
    v.refresh_from_db()
    assert v.state == Assessment.State.COMPUTED  # refused: not reviewed
    client.force_login(district.user("org_dept"))
    client.post(f"/assessment/versions/{v.pk}/review/")
    client.post(f"/assessment/versions/{v.pk}/publish/")
    v.refresh_from_db()
    assert v.state == Assessment.State.PUBLISHED
    sheet = xlsx_text(b"".join(client.get(f"/assessment/versions/{v.pk}/?export=xlsx").streaming_content))
    assert district.union_a.name in sheet and district.union_a.code in sheet and "已发布" in sheet
    assert client.post(f"/assessment/versions/{v.pk}/nonsense/").status_code == 404


def test_outside_scope_and_refusals_change_nothing(client, district, published):
    version = published[0]
    client.force_login(district.user("town_a"))
    assert client.get(f"/assessment/versions/{version.pk}/").status_code == 404
    assert client.post(f"/assessment/sets/{version.indicator_set_id}/compute/").status_code == 404
    assert client.post(f"/assessment/versions/{THIRTY_DIGITS}/review/").status_code == 404
    r = client.post("/assessment/sets/new/", {**_set_post(), "organisation": str(district.root.pk)})
    assert r.status_code == 200 and IndicatorSet.objects.count() == 1
    assert Assessment.objects.count() == 1


def test_manual_scoring_page(client, district):
    s = joint_set(district)
    manual = s.indicators.get(source="manual")
    client.force_login(district.user("admin"))  # not a named reviewer
    assert client.get(f"/assessment/indicators/{manual.pk}/score/").status_code == 403
    client.force_login(district.user("org_dept"))
    r = client.post(
        f"/assessment/indicators/{manual.pk}/score/",
        {"organisation": district.union_a.pk, "score": "88", "evidence": "制度上墙"},
    )
    assert r.status_code == 302
    r = client.post(
        f"/assessment/indicators/{manual.pk}/score/",
        {"organisation": district.union_a.pk, "score": "NaN", "evidence": "x"},
    )
    assert r.status_code == 200 and ManualScore.objects.get().score == D("88.00")
    r = client.post(
        f"/assessment/indicators/{manual.pk}/score/",
        {"organisation": district.firm_a.pk, "score": "80", "evidence": "x"},
    )
    assert r.status_code == 200 and ManualScore.objects.count() == 1
    auto = s.indicators.get(key="activities_held")
    assert client.get(f"/assessment/indicators/{auto.pk}/score/").status_code == 404


@pytest.mark.parametrize("page_name", ["results", "sets", "version", "result", "rows"])
def test_query_budgets(client, district, published, page_name):
    version, a, _ = published
    url = {
        "results": "/assessment/",
        "sets": "/assessment/sets/",
        "version": f"/assessment/versions/{version.pk}/",
        "result": f"/assessment/results/{a.pk}/",
        "rows": f"/assessment/results/{a.pk}/lines/2/",
    }[page_name]
    client.force_login(district.user("admin"))
    n, response = count_queries(client, url)
    assert response.status_code == 200
    assert n <= BUDGETS[page_name], f"{page_name}: {n} queries"
    assert AssessmentResult.objects.count() == 2


def test_the_new_indicators_drill_down_to_their_rows_in_a_fixed_number_of_queries(client, district):
    """沙坨村 in 2026: 2 trained cadres of 3, two of three hardship files re-verified by their due day 1 March (one a week late),
    a survey. Each line's rows page shows its columns, scoped, and costs the same whatever its rows."""
    from datetime import date

    from assessment import services
    from assessment.testing import DEFAULT_BANDS
    from assistance.models import Verification
    from assistance.tests.factories import hardship_file
    from cadres import services as cadres_services
    from cadres.models import Attendance
    from cadres.tests.factories import cadre, post, training_class
    from members.tests.factories import member
    from surveys.tests.factories import answer, satisfaction_survey, workers

    ua = district.union_a
    spring = training_class(district, district.root, "春训班", date(2026, 3, 1), date(2026, 3, 5))
    for i, name in enumerate(("张三", "李四", "王五")):
        who = cadre(district, ua, name)
        post(district, ua, who, ("chair", "vice_chair", "committee")[i])
        if i < 2:
            cadres_services.attendance_record(
                actor=district.user("admin"), training_class=spring, cadre=who, status=Attendance.Status.COMPLETED
            )
    for i, renewed in enumerate((date(2026, 2, 27), date(2026, 3, 7), date(2026, 2, 20))):
        file = hardship_file(member(ua, name=f"困难{i}").person, approved_on=date(2025, 3, 1))
        Verification.objects.create(
            file=file, kind=Verification.Kind.YEARLY, done_on=renewed, valid_until=date(2027, 2, 19)
        )
    users = workers(ua, 2, "dv")
    survey = satisfaction_survey(district, organisation=ua, actor_key="town_a", title="职工之家满意度")
    answer(survey, users[0], score=5)
    s = services.indicator_set_create(
        actor=district.user("admin"),
        organisation=district.root,
        year=2026,
        assessee_kind="joint",
        name="2026 年度联合会专项考核",
        indicators=[
            services.IndicatorSpec("干部培训", "25", "auto", "cadres_trained"),
            services.IndicatorSpec("按期复核", "25", "auto", "hardship_reverified"),
            services.IndicatorSpec("问卷参与", "25", "auto", "surveys_response"),
            services.IndicatorSpec("问卷满意度", "25", "auto", "surveys_satisfaction"),
        ],
        grade_bands=DEFAULT_BANDS,
        pass_score="60",
        reviewers=[],
    )
    version = services.assessment_compute(actor=district.user("admin"), indicator_set=s)
    result = version.results.get(organisation=ua)
    lines = {spec["key"]: result.lines[str(spec["position"])] for spec in version.indicators}
    assert lines["cadres_trained"]["value"] == "66.7" and lines["hardship_reverified"]["value"] == "66.7"
    # 1 of the union's 5 members answered (the three hardship files' holders are members too)
    assert lines["surveys_response"]["value"] == "20.0" and lines["surveys_satisfaction"]["value"] == "100.0"
    client.force_login(district.user("admin"))
    expect = {
        1: ("张三", "李四", "王五", "沙坨村工会联合会"),
        2: ("初次认定", "2026-02-28"),
        3: ("职工之家满意度",),
        4: (),
    }
    for position, texts in expect.items():
        n, response = count_queries(client, f"/assessment/results/{result.pk}/lines/{position}/")
        page = response.content.decode()
        assert response.status_code == 200 and n <= BUDGETS["rows_of_new_indicators"], f"line {position}: {n} queries"
        assert all(t in page for t in texts), position
    # the hardship rows are personal: a union chair without the assistance action sees none of them
    client.force_login(district.user("chair_a"))
    page = client.get(f"/assessment/results/{result.pk}/lines/2/").content.decode()
    assert "2026-02-28" not in page
