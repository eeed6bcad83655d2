"""The worker's phone pages: own requests only, submission, rating, unread badge."""

from __future__ import annotations

import pytest
from django.urls import reverse

from appeals.models import Appeal, Category
from appeals.tests.factories import make_appeal, make_person, run_to
from core.notify import notify

pytestmark = pytest.mark.django_db


def test_home_lists_only_own_requests(client, district):
    person = make_person(district.union_a, user=district.user("worker_a"))
    mine = make_appeal(district, worker=person, title="我的欠薪")
    make_appeal(district, title="别人的欠薪")
    client.force_login(district.user("worker_a"))
    page = client.get(reverse("portal:home")).content.decode()
    assert mine.title in page and "别人的欠薪" not in page
    assert 'name="viewport"' in page


def test_only_workers_use_the_portal(client, district):
    for key, status in [("worker_a", 200), ("rights", 403), ("women", 403), ("nobody", 403)]:
        client.force_login(district.user(key))
        assert client.get(reverse("portal:new")).status_code == status, key
    client.logout()
    assert client.get(reverse("portal:home")).status_code == 302


def test_worker_without_person_is_told(client, district):
    client.force_login(district.user("worker_a"))
    assert "尚未关联会员档案" in client.get(reverse("portal:home")).content.decode()
    cat = Category.objects.get(code="other")
    r = client.post(
        reverse("portal:new"),
        {"category": cat.pk, "title": "t", "description": "食堂伙食很差", "preferred_contact": "phone"},
    )
    assert "会员" in r.content.decode() and Appeal.objects.count() == 0


def test_rate_from_phone_and_timeline_hides_internal_notes(client, district):
    from appeals import services

    person = make_person(district.union_a, user=district.user("worker_a"))
    a = run_to(district, make_appeal(district, worker=person), Appeal.State.HANDLING)
    services.appeal_note(actor=district.user("rights"), appeal=a, note="内部：企业负责人态度强硬", public=False)
    for ref in a.referrals.all():
        services.referral_complete(actor=district.user("town_a"), referral=ref, result="已协调")
    services.appeal_feedback(actor=district.user("rights"), appeal=a, result="已补发", resolved=True)
    client.force_login(district.user("worker_a"))
    page = client.get(reverse("portal:detail", args=[a.pk])).content.decode()
    assert "态度强硬" not in page and "请评价本次办理" in page
    client.post(reverse("portal:rate", args=[a.pk]), {"rating": "basic"})
    assert Appeal.objects.get(pk=a.pk).rating == "basic"


def test_unread_badge(client, district):
    make_person(district.union_a, user=district.user("worker_a"))
    notify(district.user("worker_a"), kind="appeal_worker", title="您的诉求已有联络人联系")
    client.force_login(district.user("worker_a"))
    assert 'badge bg-red">1<' in client.get(reverse("portal:home")).content.decode()
