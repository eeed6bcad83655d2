"""The demo step: files in every state through the real services, idempotent."""

from __future__ import annotations

import pytest

from assistance import demo
from assistance.models import HardshipFile
from assistance.selectors import files as sel
from members import demo as members_demo
from orgs import demo as orgs_demo

pytestmark = pytest.mark.django_db


def test_demo_builds_files_in_every_state_once():
    orgs_demo.build_tree()
    orgs_demo.build_accounts()
    members_demo.build({"members": 400})
    # 仁和镇's members active today (how many of the 400 that is moves with the date), each given a
    # file, up to the plan's length (30, reached with the default 3,000 members)
    planned = min(len(demo._candidates()) + 1, sum(count for count, _ in demo.PLAN))  # + the portal worker
    assert planned >= len(demo.PLAN)
    line = demo.build({})
    assert "演示档案" in line
    files = HardshipFile.objects.all()
    assert files.count() == planned
    states = set(files.values_list("state", flat=True))
    assert states == {"applied", "verified", "reviewed", "rejected", "active", "exited"}
    assert sel.lapsed_files(files).exists() and sel.due_files(files).exists()
    assert HardshipFile.objects.filter(person__user__username="zhigong", state="active").exists()
    for file in files.filter(state="active"):
        kinds = list(file.steps.exclude(kind="amend").values_list("kind", flat=True))
        assert kinds[:4] == ["apply", "verify", "review", "approve"]
    assert "跳过" in demo.build({})
    assert HardshipFile.objects.count() == files.count()
