from __future__ import annotations

import pytest

from cadres import demo
from cadres.models import Post, Recruitment, SocialWorker, TrainingClass
from orgs import demo as orgs_demo

pytestmark = pytest.mark.django_db


def test_demo_builds_through_the_services_and_is_idempotent():
    orgs_demo.build_tree()
    orgs_demo.build_accounts()
    first = demo.build({})
    assert first.startswith("干部与社工：") and "跳过" not in first
    counts = (
        Post.objects.count(),
        Recruitment.objects.count(),
        SocialWorker.objects.count(),
        TrainingClass.objects.count(),
    )
    assert counts[0] > 0 and counts[1:] == (2, 2, 2)
    assert {r.state for r in Recruitment.objects.all()} == {Recruitment.State.HIRED, Recruitment.State.INTERVIEW}
    assert "跳过" in demo.build({})
    assert (
        Post.objects.count(),
        Recruitment.objects.count(),
        SocialWorker.objects.count(),
        TrainingClass.objects.count(),
    ) == counts
