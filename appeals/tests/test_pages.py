"""Pages: the scope matrix (orgs.testing) for every route, query budgets, and the page actions."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from appeals import services
from appeals.models import Appeal, Attachment, LiaisonAssignment
from appeals.tests.factories import fresh, liaison, make_appeal, make_person, run_to
from orgs.roles import Perm
from orgs.testing import (
    API_DETAIL,
    API_LIST,
    DETAIL,
    EXPORT,
    LIST,
    ScopedRoute,
    check_route,
    count_queries,
    load_budgets,
)

pytestmark = pytest.mark.django_db
BUDGETS = load_budgets(__file__)


@pytest.fixture
def world(district, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    worker = make_person(district.union_a, user=district.user("worker_a"), name="张伟")
    referred = run_to(
        district,
        make_appeal(district, worker=worker, title="产假工资被扣"),
        Appeal.State.COORDINATING,
        co=(district.women,),
    )
    services.attachment_add(
        actor=district.user("rights"),
        appeal=referred,
        files=[SimpleUploadedFile("合同.pdf", b"%PDF-1.4 test", "application/pdf")],
    )
    not_referred = make_appeal(district, title="加班费未结清")
    elsewhere = make_appeal(district, org=district.union_b, title="西泗上村欠薪")
    return {"referred": referred, "not_referred": not_referred, "elsewhere": elsewhere, "worker": worker}


NO_ACTION = {"org_dept": None, "econ": None, "finance": None}


def _matrix(district, world, route):
    r, n, e = world["referred"], world["not_referred"], world["elsewhere"]
    inside = {
        "admin": r,
        "rights": r,
        "auditor": r,
        "town_a": n,
        "chair_a": n,
        "social_a": n,
        "women": r,
        "worker_a": r,
    }
    outside = {"town_b": r, "youth": r, "women": n, "worker_a": n, "chair_a": e, "social_a": e, "town_a": e}
    for key in NO_ACTION:
        outside[key] = r
    # check_route takes one target per user per dict: split into two passes
    first_out = {k: v for k, v in outside.items() if k not in inside}
    second_out = {k: v for k, v in outside.items() if k in inside}
    return inside, first_out, second_out


def _run(client, district, world, route):
    inside, first_out, second_out = _matrix(district, world, route)
    failures = check_route(client, district, route, inside=inside, outside=first_out)
    # the same users on rows they must not reach (a user may appear once per call)
    failures += check_route(client, district, route, inside={"admin": world["referred"]}, outside=second_out)
    assert failures == []


def test_detail_matrix(client, district, world):
    _run(
        client,
        district,
        world,
        ScopedRoute("detail", DETAIL, Perm.APPEAL_OFFICE, lambda a: reverse("appeals:detail", args=[a.pk])),
    )


def test_list_matrix(client, district, world):
    _run(
        client,
        district,
        world,
        ScopedRoute("list", LIST, Perm.APPEAL_OFFICE, lambda _: reverse("appeals:list"), marker=lambda a: a.title),
    )


def test_search_matrix(client, district, world):
    route = ScopedRoute(
        "search", LIST, Perm.APPEAL_OFFICE, lambda _: reverse("appeals:list") + "?q=工资", marker=lambda a: a.title
    )
    failures = check_route(
        client,
        district,
        route,
        inside={"women": world["referred"]},
        outside={"town_b": world["referred"], "youth": world["referred"]},
    )
    assert failures == []


def test_export_matrix(client, district, world):
    _run(
        client,
        district,
        world,
        ScopedRoute(
            "export",
            EXPORT,
            Perm.APPEAL_OFFICE,
            lambda _: reverse("appeals:list") + "?export=xlsx",
            marker=lambda a: a.number,
        ),
    )


def test_attachment_matrix(client, district, world):
    att = Attachment.objects.get()
    route = ScopedRoute(
        "attachment",
        DETAIL,
        Perm.APPEAL_VIEW,
        lambda a: reverse("appeals:attachment", args=[a.pk, att.pk]),
        own_records=True,
    )
    failures = check_route(
        client,
        district,
        route,
        inside={"women": world["referred"], "worker_a": world["referred"], "town_a": world["referred"]},
        outside={"town_b": world["referred"], "youth": world["referred"], "finance": world["referred"]},
    )
    assert failures == []
    # never through /media directly
    assert "/media/" not in client.get(reverse("appeals:detail", args=[world["referred"].pk])).content.decode()


def test_api_matrix(client, district, world):
    _run(
        client,
        district,
        world,
        ScopedRoute("api detail", API_DETAIL, Perm.APPEAL_VIEW, lambda a: f"/api/v1/appeals/{a.pk}/"),
    )
    _run(
        client,
        district,
        world,
        ScopedRoute("api list", API_LIST, Perm.APPEAL_VIEW, lambda _: "/api/v1/appeals/", marker=lambda a: a.title),
    )


def test_portal_detail_only_own(client, district, world):
    client.force_login(district.user("worker_a"))
    assert client.get(reverse("portal:detail", args=[world["referred"].pk])).status_code == 200
    assert client.get(reverse("portal:detail", args=[world["not_referred"].pk])).status_code == 404
    client.force_login(district.user("rights"))
    assert client.get(reverse("portal:home")).status_code == 403


def test_women_officer_cannot_open_a_request_not_referred_to_women(client, district, world):
    client.force_login(district.user("women"))
    assert client.get(reverse("appeals:detail", args=[world["not_referred"].pk])).status_code == 404
    assert client.get(reverse("appeals:detail", args=[world["referred"].pk])).status_code == 200


def test_summary_pages_scope(client, district, world):
    for key, status in [
        ("rights", 200),
        ("town_a", 200),
        ("social_a", 200),
        ("women", 200),
        ("finance", 403),
        ("worker_a", 403),
    ]:
        client.force_login(district.user(key))
        assert client.get(reverse("appeals:rates")).status_code == status, key
    client.force_login(district.user("town_b"))
    assert client.get(reverse("appeals:rates") + f"?org={district.town_a.code}").status_code == 404
    assert client.get(reverse("appeals:liaisons") + f"?org={district.town_a.code}").status_code == 404


def _bulk(district, n):
    for i in range(n):
        run_to(
            district,
            make_appeal(district, title=f"诉求{i}"),
            [Appeal.State.CONTACTED, Appeal.State.HANDLING, Appeal.State.CLOSED][i % 3],
        )


@pytest.mark.parametrize(
    "name, url",
    [
        ("list", lambda d, a: reverse("appeals:list")),
        ("detail", lambda d, a: reverse("appeals:detail", args=[a.pk])),
        ("rates", lambda d, a: reverse("appeals:rates")),
        ("liaisons", lambda d, a: reverse("appeals:liaisons")),
        ("notifications", lambda d, a: reverse("appeals:notifications")),
    ],
)
def test_query_budget_does_not_grow(client, district, world, name, url):
    liaison(district, district.union_a)
    client.force_login(district.user("rights"))
    target = world["referred"]
    small, r1 = count_queries(client, url(district, target))
    assert r1.status_code == 200
    _bulk(district, 9)
    large, r2 = count_queries(client, url(district, target))
    assert r2.status_code == 200
    assert large <= BUDGETS[name], (name, large)
    assert large == small, (name, small, large)


def test_portal_budget(client, district, world):
    client.force_login(district.user("worker_a"))
    n, r = count_queries(client, reverse("portal:home"))
    assert r.status_code == 200 and n <= BUDGETS["portal_home"]
    n, r = count_queries(client, reverse("portal:detail", args=[world["referred"].pk]))
    assert r.status_code == 200 and n <= BUDGETS["portal_detail"]


def test_officer_actions_through_pages(client, district, world):
    a = world["not_referred"]
    client.force_login(district.user("rights"))
    r = client.post(reverse("appeals:action", args=[a.pk, "refer"]), {"lead": district.town_a.pk})
    assert "请先联系职工" in " ".join(m.message for m in r.wsgi_request._messages)
    assert fresh(a).state == Appeal.State.REGISTERED
    client.post(reverse("appeals:action", args=[a.pk, "contact"]), {"note": "电话联系"})
    assert fresh(a).state == Appeal.State.CONTACTED
    client.post(
        reverse("appeals:action", args=[a.pk, "refer"]),
        {"lead": district.town_a.pk, "co_handlers": [district.women.pk]},
    )
    assert fresh(a).state == Appeal.State.COORDINATING
    page = client.get(reverse("appeals:detail", args=[a.pk])).content.decode()
    assert "区妇联" in page and "全程记录" in page


def test_officer_registers_hotline_request(client, district):
    client.force_login(district.user("town_a"))
    from appeals.models import Category

    cat = Category.objects.get(code="injury_safety")
    r = client.post(
        reverse("appeals:create"),
        {
            "organisation": district.union_b.pk,
            "channel": "hotline",
            "category": cat.pk,
            "title": "x",
            "description": "工地受伤无人管",
            "preferred_contact": "phone",
            "reporter_name": "李",
        },
    )
    assert "不在您可选择的范围内" in r.content.decode() and not Appeal.objects.exists()
    r = client.post(
        reverse("appeals:create"),
        {
            "organisation": district.union_a.pk,
            "channel": "hotline",
            "category": cat.pk,
            "title": "工伤",
            "description": "工地受伤无人管",
            "preferred_contact": "phone",
            "anonymous": "on",
        },
    )
    assert r.status_code == 302
    assert Appeal.objects.get().anonymous


def test_portal_submit_and_rate(client, district, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    make_person(district.union_a, user=district.user("worker_a"))
    client.force_login(district.user("worker_a"))
    from appeals.models import Category

    cat = Category.objects.get(code="women")
    r = client.post(
        reverse("portal:new"),
        {
            "category": cat.pk,
            "title": "孕期调岗",
            "description": "怀孕后被要求上夜班",
            "preferred_contact": "phone",
            "attachments": [SimpleUploadedFile("a.exe", b"x")],
        },
    )
    assert "类型不允许" in r.content.decode() and Appeal.objects.count() == 0
    r = client.post(
        reverse("portal:new"),
        {"category": cat.pk, "title": "孕期调岗", "description": "怀孕后被要求上夜班", "preferred_contact": "phone"},
    )
    a = Appeal.objects.get()
    assert r.status_code == 302 and a.channel == Appeal.Channel.PORTAL
    run_to(district, a, Appeal.State.FED_BACK)
    r = client.post(reverse("portal:rate", args=[a.pk]), {"rating": "unsatisfied", "comment": ""})
    assert fresh(a).state == Appeal.State.FED_BACK
    client.post(reverse("portal:rate", args=[a.pk]), {"rating": "unsatisfied", "comment": "仍在上夜班"})
    assert fresh(a).reopen_count == 1


def test_liaison_page_assign_and_gaps(client, district):
    client.force_login(district.user("town_a"))
    page = client.get(reverse("appeals:liaisons")).content.decode()
    assert "沙坨村工会联合会" in page and "北京顺鑫物流有限公司工会" in page  # both are gaps
    r = client.post(
        reverse("appeals:liaisons") + f"?org={district.town_a.code}",
        {"organisation": district.union_a.pk, "liaison": "social_a"},
    )
    assert r.status_code == 302
    client.force_login(district.user("town_b"))
    r = client.post(reverse("appeals:liaisons"), {"organisation": district.union_a.pk, "liaison": "social_a"})
    assert "不在您可选择的范围内" in r.content.decode()


def test_liaison_form_is_no_probe_for_accounts(client, district):
    """A social worker of the other town and an account that does not get the same answer."""
    client.force_login(district.user("town_b"))
    url = reverse("appeals:liaisons") + f"?org={district.town_b.code}"
    answers = []
    for username in ("social_a", "no-such-user"):
        r = client.post(url, {"organisation": district.union_b.pk, "liaison": username})
        assert r.status_code == 200
        page = r.content.decode()
        answers.append("找不到可指派的账号" in page)
    assert answers == [True, True]
    assert not LiaisonAssignment.objects.exists()


def test_todo_filter_for_partner_and_liaison(client, district, world):
    client.force_login(district.user("women"))
    page = client.get(reverse("appeals:list") + "?todo=1").content.decode()
    assert world["referred"].title in page and 'data-testid="create"' not in page
    services.referral_accept(
        actor=district.user("women"), referral=world["referred"].referrals.get(handler_org=district.women)
    )
    services.referral_complete(
        actor=district.user("women"),
        referral=world["referred"].referrals.get(handler_org=district.women),
        result="已办",
    )
    assert world["referred"].title not in client.get(reverse("appeals:list") + "?todo=1").content.decode()
    liaison(district, district.union_a)
    fresh_one = make_appeal(district, title="新来的诉求")
    client.force_login(district.user("social_a"))
    page = client.get(reverse("appeals:list") + "?todo=1").content.decode()
    assert fresh_one.title in page and world["elsewhere"].title not in page
