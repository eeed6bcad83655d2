"""The list component (core.lists) through a real list (members) and a money list made for the test."""

from __future__ import annotations

import re
from datetime import date
from html import unescape
from urllib.parse import parse_qs, urlsplit

import django_tables2 as tables
import pytest
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.http import Http404
from django.test import RequestFactory

from core.lists import ListPage, MoneyColumn, Table, export_columns
from core.models import AuditEvent
from funds import services as fund_services
from funds.models import Donation
from funds.testing import books
from members.models import Membership
from members.tables import MemberTable
from members.tests.factories import MembershipFactory, member
from members.tests.xlsx_helpers import read_sheet
from orgs.roles import Perm
from orgs.scope import scoped

pytestmark = pytest.mark.django_db


def _xlsx(response) -> list[list]:
    assert response.status_code == 200, response.status_code
    return read_sheet(b"".join(response.streaming_content))


def _member_nos(html: str) -> list[str]:
    return re.findall(r'data-label="会员编号"[^>]*>([^<]+)</td>', html)


def _chips(html: str) -> dict[str, str]:
    """Chip text → the query its link leaves."""
    found = re.findall(r'<a class="badge bg-blue-lt gh-chip" href="([^"]*)"[^>]*>([^<]+)<', html)
    return {text.strip(): unescape(href) for href, text in found}


@pytest.fixture
def roster(district):
    def joined(org, name, on, **person):
        return MembershipFactory(
            organisation=org, joined_on=on, person__name=name, **{f"person__{k}": v for k, v in person.items()}
        )

    return (
        joined(district.union_a, "甲会员", date(2020, 5, 1)),
        joined(district.union_b, "乙会员", date(2021, 6, 1), is_migrant_worker=True),
        joined(district.union_a, "丙会员", date(2022, 7, 1), is_migrant_worker=True),
    )


def test_sorting_by_an_orderable_column_and_ignoring_the_others(client, district, roster):
    client.force_login(district.user("admin"))
    nos = sorted(m.member_no for m in roster)
    assert _member_nos(client.get("/members/?sort=member_no").content.decode()) == nos
    assert _member_nos(client.get("/members/?sort=-member_no").content.decode()) == nos[::-1]
    by_join = [m.member_no for m in sorted(roster, key=lambda m: m.joined_on, reverse=True)]
    assert _member_nos(client.get("/members/?sort=-joined_on").content.decode()) == by_join
    # A column that is not orderable (a masked ID number) or unknown is ignored: the default order.
    default = _member_nos(client.get("/members/").content.decode())
    for sort in ("id_number", "nonsense", "-" * 300):
        r = client.get("/members/", {"sort": sort})
        assert r.status_code == 200 and _member_nos(r.content.decode()) == default
    body = client.get("/members/?sort=member_no").content.decode()
    assert 'data-testid="sort-member_no"' in body and 'data-testid="sort-id_number"' not in body


def test_page_size_is_one_of_20_50_100(client, district):
    for i in range(55):
        member(district.union_a, name=f"会员{i}")
    client.force_login(district.user("admin"))
    for per_page, shown in (("50", 50), ("100", 55), ("20", 20), ("1000", 20), ("0", 20), ("-5", 20), ("x", 20)):
        body = client.get("/members/", {"per_page": per_page}).content.decode()
        assert len(_member_nos(body)) == shown, per_page
        assert "共 55 条会籍记录" in body
    body = client.get("/members/", {"per_page": "20", "page": "3"}).content.decode()
    assert len(_member_nos(body)) == 15
    assert 'aria-current="page"><span class="page-link gh-tap">3</span>' in body
    # page numbers, each link keeping the filters and the page size
    links = re.findall(r'<a class="page-link gh-tap" href="\?([^"]+)">(\d+)</a>', body)
    assert {n for _, n in links} == {"1", "2"}
    assert all(parse_qs(unescape(q))["per_page"] == ["20"] for q, _ in links)
    assert len(_member_nos(client.get("/members/", {"page": "999"}).content.decode())) == 15  # the last page


def test_each_chip_removes_exactly_its_filter(client, district, roster):
    client.force_login(district.user("admin"))
    body = client.get("/members/", {"q": "会员", "migrant": "true", "join_year": "2022", "per_page": "50"}).content
    chips = _chips(body.decode())
    assert set(chips) == {
        "搜索（姓名/会员编号/完整身份证号/手机号）：会员",
        "会籍状态：在册",
        "农民工：是",
        "入会年份：2022",
    }
    kept = {"q": ["会员"], "migrant": ["true"], "join_year": ["2022"], "per_page": ["50"]}
    for text, field in (("农民工：是", "migrant"), ("入会年份：2022", "join_year")):
        query = parse_qs(urlsplit(chips[text]).query, keep_blank_values=True)
        assert query == {k: v for k, v in kept.items() if k != field}, text
    # the default 在册 is removed by asking for every status
    query = parse_qs(urlsplit(chips["会籍状态：在册"]).query, keep_blank_values=True)
    assert query == {**kept, "status": [""]}
    # following a chip really drops that filter: 2022 → 丙 only; without the year → 乙 and 丙
    assert "乙会员" not in body.decode() and "丙会员" in body.decode()
    wider = client.get("/members/" + chips["入会年份：2022"]).content.decode()
    assert "乙会员" in wider and "丙会员" in wider and "甲会员" not in wider


def test_an_invalid_filter_shows_a_message_and_no_rows(client, district, roster):
    client.force_login(district.user("admin"))
    for params in ({"join_year": "99999"}, {"status": "gone"}, {"q": "x" * 5000}):
        r = client.get("/members/", params)
        body = r.content.decode()
        assert r.status_code == 200
        assert "筛选条件有误，未显示任何记录" in body, params
        assert _member_nos(body) == [] and "共 0 条会籍记录" in body
        assert 'data-testid="clear-filters"' in body
        # the export of an invalid filter holds no rows either
        assert len(_xlsx(client.get("/members/", {**params, "export": "xlsx"}))) == 1


def test_empty_state_says_what_to_do(client, district):
    client.force_login(district.user("chair_a"))
    body = client.get("/members/").content.decode()
    assert "还没有会籍记录" in body and re.search(r'href="/members/new/" data-testid="empty-create">登记会员<', body)
    client.force_login(district.user("auditor"))  # may look, may not register
    body = client.get("/members/").content.decode()
    assert "还没有会籍记录" in body and "empty-create" not in body


def test_export_has_the_tables_columns_in_the_same_order(client, district, roster):
    client.force_login(district.user("admin"))
    rows = _xlsx(client.get("/members/", {"export": "xlsx", "sort": "member_no"}))
    table = MemberTable(Membership.objects.none())
    assert rows[0] == [str(c.header) for c in export_columns(table)]
    page = client.get("/members/", {"sort": "member_no"}).content.decode()
    shown = [re.sub(r"<[^>]+>|[↑↓↕]", "", h).strip() for h in re.findall(r"<th [^>]*>(.*?)</th>", page)]
    assert shown == [str(c.header) for c in table.columns]  # the visible columns…
    assert [h for h in rows[0] if h in shown] == shown  # …are the xlsx's, in the same order
    assert [r[0] for r in rows[1:]] == _member_nos(page)  # same rows, same order
    first = rows[1]
    assert first[rows[0].index("农民工")] in ("是", "否") and isinstance(first[rows[0].index("入会日期")], date)


def test_export_is_scoped_masked_and_audited(client, district, roster):
    a, b, _ = roster
    client.force_login(district.user("town_a"))
    rows = _xlsx(client.get("/members/", {"export": "xlsx", "q": a.person.id_number}))
    text = "\n".join("\t".join(str(c) for c in r) for r in rows)
    assert a.member_no in text and b.member_no not in text
    assert a.person.id_number not in text and a.person.id_number[:6] + "********" + a.person.id_number[-4:] in text
    assert a.person.mobile not in text
    event = AuditEvent.objects.get(kind="export")
    assert event.username == "town_a" and event.detail["rows"] == 1 and a.person.id_number not in event.detail["query"]
    assert "会员名单" in event.summary
    # a role that may read the list but not export it; an unknown format
    client.force_login(district.user("auditor"))
    assert client.get("/members/", {"export": "xlsx"}).status_code == 403
    assert 'data-testid="export"' not in client.get("/members/").content.decode()
    assert client.get("/members/", {"export": "csv"}).status_code == 404
    assert AuditEvent.objects.filter(kind="export").count() == 1


class DonationTable(Table):
    receipt_no = tables.Column(verbose_name="收据编号")
    amount = MoneyColumn(verbose_name="金额", total=True)


class DonationList(ListPage):
    title = "测试捐赠"
    table_class = DonationTable
    perm = Perm.DONATION_MANAGE
    ordering = ("receipt_no",)
    per_page = 1  # one row a page: the totals still cover every filtered row

    def rows(self, request, perm):
        return scoped(request.user, perm, Donation.objects.all())


def _get(user, **params):
    request = RequestFactory().get("/donations/", params)
    request.user = user
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return DonationList.as_view()(request)


def test_totals_row_sums_every_filtered_row_with_thousands_separators(district):
    acc = books(district.root)
    finance = district.user("finance")
    for amount in ("1234567.89", "0.11", "500"):
        fund_services.donation_register(
            actor=finance, donor_kind="unit", donor_name="单位", amount=amount, received_on=date(2026, 5, 1),
            fund=acc["3105"],
        )  # fmt: skip
    body = _get(finance).content.decode()
    assert 'data-testid="list-totals"' in body
    totals = re.search(r'data-testid="list-totals">(.*?)</tr>', body).group(1)
    assert "合计" in totals and "1,235,068.00" in totals
    assert "1,234,567.89" in body  # the page's one row, with separators
    assert 'data-testid="export"' not in body  # a list without export_perm offers none…
    with pytest.raises(Http404):  # …and answers none
        _get(finance, export="xlsx")


def test_a_count_links_to_the_rows_it_counts(client, district, roster):
    client.force_login(district.user("town_a"))
    body = client.get("/orgs/list/", {"q": "沙坨"}).content.decode()
    link = re.search(r'<td data-label="会员"[^>]*><a href="([^"]+)">(\d+)</a>', body)
    assert link is not None and link.group(2) == "2"  # 甲 and 丙 in 沙坨村
    listed = client.get(unescape(link.group(1))).content.decode()
    assert "共 2 条会籍记录" in listed and "甲会员" in listed and "丙会员" in listed
    assert _chips(listed) == {
        "所属工会（含全部下级）：沙坨村工会联合会（T-A-1）": "?",  # the chip names the picked union
        "会籍状态：在册": "?subtree=T-A-1&status=",
    }


@pytest.mark.parametrize(
    ("user", "url", "bad"),
    [
        ("admin", "/orgs/list/", {"founded_after": "2024-13-45"}),
        ("social_a", "/appeals/", {"date_from": "not-a-date"}),
        ("admin", "/accounts/users/", {"active": "perhaps", "q": "x" * 500}),
        ("admin", "/accounts/audit/", {"date_from": "2024-02-30"}),
        ("town_a", "/activities/", {"year": "99999"}),
        ("town_a", "/assessment/", {"year": "0"}),
    ],
)
def test_every_moved_list_refuses_an_invalid_filter_with_no_rows(client, district, roster, user, url, bad):
    client.force_login(district.user(user))
    before = client.get(url).content.decode()
    assert "筛选条件有误" not in before
    body = client.get(url, bad).content.decode()
    assert "筛选条件有误，未显示任何记录" in body
    assert "<tbody>" in body and 'data-testid="list-empty"' in body and "共 0 " in body


def test_the_open_request_count_links_to_the_unfinished_requests(client, district):
    from appeals.models import Appeal
    from appeals.tests.factories import make_appeal

    make_appeal(district, title="仍在办理")
    done = make_appeal(district, title="已经办结")
    Appeal.objects.filter(pk=done.pk).update(state=Appeal.State.CLOSED)
    make_appeal(district, org=district.union_b, title="别处的诉求")
    client.force_login(district.user("admin"))
    body = client.get("/orgs/list/", {"q": "沙坨"}).content.decode()
    link = re.search(r'<td data-label="未办结诉求"[^>]*><a href="([^"]+)">(\d+)</a>', body)
    assert link is not None and link.group(2) == "1"
    listed = client.get(unescape(link.group(1))).content.decode()
    assert "共 1 件诉求" in listed and "仍在办理" in listed
    assert "已经办结" not in listed and "别处的诉求" not in listed
    assert "未办结：是" in _chips(listed)
