from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cadres import selectors, services
from cadres.models import Post
from cadres.tests.factories import TERM, cadre, post
from orgs.models import Organisation

pytestmark = pytest.mark.django_db
R = Post.Role


def test_posts_are_dated_history_and_drive_the_organisation_fields(district):
    union = district.union_a
    zhang = cadre(district, union, "张主席")
    chair = post(district, union, zhang, R.CHAIR, full_time=True)
    post(district, union, cadre(district, union, "李副"), R.VICE_CHAIR)
    post(district, union, cadre(district, union, "王副"), R.VICE_CHAIR)
    union.refresh_from_db()
    assert (union.chair_name, union.chair_full_time, union.vice_chairs) == ("张主席", True, "李副、王副")
    with pytest.raises(ValidationError, match="已有在任主席"):
        post(district, union, cadre(district, union, "赵"), R.CHAIR)
    services.post_end(actor=district.user("chair_a"), post=chair, ended_on=date(2026, 6, 30), reason="换届")
    post(district, union, cadre(district, union, "赵新"), R.CHAIR, started_on=date(2026, 7, 1))
    union.refresh_from_db()
    assert (union.chair_name, union.chair_full_time) == ("赵新", False)
    assert list(Post.objects.filter(organisation=union, role=R.CHAIR).values_list("cadre__name", "ended_on")) == [
        ("张主席", date(2026, 6, 30)),
        ("赵新", None),
    ]


def test_post_refusals_change_nothing(district):
    union = district.union_a
    who = cadre(district, union, "张")
    with pytest.raises(PermissionDenied):
        services.post_start(actor=district.user("town_b"), organisation=union, cadre=who, role=R.CHAIR, **TERM)
    with pytest.raises(ValidationError, match="不是工会组织"):
        post(district, district.women, who)
    with pytest.raises(ValidationError, match="只适用于专职副主席"):
        post(district, union, who, R.CHAIR, rank=Post.Rank.ZHENGKE)
    with pytest.raises(ValidationError, match="任期之内"):
        post(district, union, who, R.CHAIR, started_on=date(2030, 1, 1))
    with pytest.raises(ValidationError, match="不能早于任期起日"):
        post(district, union, who, R.CHAIR, term_start=date(2025, 1, 1), term_end=date(2024, 1, 1))
    p = post(district, union, who, R.AUDIT)
    with pytest.raises(ValidationError, match="已担任经审委员"):
        post(district, union, who, R.AUDIT)
    with pytest.raises(ValidationError, match="离任原因"):
        services.post_end(actor=district.user("admin"), post=p, reason=" ")
    assert Post.objects.count() == 1 and Post.objects.get().ended_on is None


def test_vacancies_expiring_terms_and_part_time_town_chairs(district):
    admin = district.user("admin")
    today = date(2026, 12, 2)
    town = district.town_a
    post(district, town, cadre(district, town, "镇主席"), R.CHAIR, full_time=False)
    post(district, town, cadre(district, town, "镇经审"), R.AUDIT, term_end=date(2027, 2, 1))
    rows = {o.code: o for o in selectors.union_posts_status(admin)}
    vacant = {o.code for o in selectors.union_posts_status(admin).filter(selectors.vacancy_q())}
    assert town.code not in vacant and {district.union_a.code, district.town_b.code, "T"} <= vacant
    assert selectors.vacant_labels(rows[district.union_a.code]) == "主席、经审委员"
    assert district.women.code not in rows  # partners have no union posts
    part_time = selectors.union_posts_status(admin).filter(selectors.part_time_without_vice_q())
    assert [o.code for o in part_time] == [town.code]
    post(
        district,
        town,
        cadre(district, town, "专职副"),
        R.VICE_CHAIR,
        full_time=True,
        rank=Post.Rank.ZHENGKE,
        separate_quota=True,
    )
    assert not selectors.union_posts_status(admin).filter(selectors.part_time_without_vice_q()).exists()
    expiring = selectors.visible_posts(admin).filter(selectors.expiring_q(today))
    assert [p.cadre.name for p in expiring] == ["镇经审"]
    # scoped: town B's officer sees none of town A's
    assert not selectors.visible_posts(district.user("town_b")).exists()
    assert town.code not in {o.code for o in selectors.union_posts_status(district.user("town_b"))}


def test_grassroots_chair_manages_only_their_union(district):
    who = services.cadre_register(actor=district.user("chair_a"), organisation=district.union_a, name="委员甲")
    services.post_start(
        actor=district.user("chair_a"),
        organisation=district.union_a,
        cadre=who,
        role=R.COMMITTEE,
        **TERM,
        started_on=date(2024, 2, 1),
    )
    with pytest.raises(PermissionDenied):
        services.cadre_register(actor=district.user("chair_a"), organisation=district.union_b, name="乙")
    assert isinstance(district.union_a, Organisation)
