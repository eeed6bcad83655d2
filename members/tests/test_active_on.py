""" "Member on a date" is one queryset method, and the counts other apps read go through it."""

from __future__ import annotations

from datetime import date

import pytest

from funds.testing import add_members
from members import selectors
from members.models import Membership
from orgs.models import Organisation
from programmes.plugins import _members_on_subquery

pytestmark = pytest.mark.django_db


@pytest.fixture
def roster(district):
    union = district.union_a
    add_members(union, 3, joined_on=date(2024, 1, 1))  # still members
    add_members(union, 2, joined_on=date(2024, 1, 1), ended_on=date(2025, 6, 30))  # left on 30 June 2025
    add_members(union, 1, joined_on=date(2025, 7, 1))  # joined the day after
    return union


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (None, 4),  # today's roster: status 在册
        (date(2023, 12, 31), 0),  # before anyone joined
        (date(2024, 1, 1), 5),  # the joining day counts
        (date(2025, 6, 29), 5),
        (date(2025, 6, 30), 3),  # the ending day no longer counts
        (date(2025, 7, 1), 4),
    ],
)
def test_active_on(roster, on, expected) -> None:
    assert Membership.objects.active_on(on).filter(organisation=roster).count() == expected
    assert selectors.active_member_count(roster, on=on) == expected
    assert selectors.member_counts([roster.pk], on=on) == {roster.pk: expected}
    assert selectors.member_counts([roster.pk], on=on, subtree=True) == {roster.pk: expected}
    if on is not None:
        counted = Organisation.objects.filter(pk=roster.pk).annotate(n=_members_on_subquery(on)).get().n
        assert counted == expected


def test_related_manager_has_it_too(roster) -> None:
    person = Membership.objects.active_on().filter(organisation=roster).first().person
    assert person.memberships.active_on().get().organisation == roster
    assert person.memberships.active_on(date(2023, 1, 1)).count() == 0
