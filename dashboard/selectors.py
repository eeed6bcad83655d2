from __future__ import annotations

from typing import Any

from django.db.models import Count

from orgs.models import Organisation, RoleAssignment
from orgs.registry import subtree_counters
from orgs.roles import Perm
from orgs.scope import has_perm
from orgs.selectors import tree_top_nodes, visible_organisations


def home_figures(user: Any) -> dict[str, Any]:
    figures: dict[str, Any] = {
        "assignments": RoleAssignment.objects.filter(user=user).select_related("organisation"),
        "counters": subtree_counters(user),
    }
    if has_perm(user, Perm.ORG_VIEW):
        by_kind = (
            visible_organisations(user)
            .filter(status=Organisation.Status.ACTIVE)
            .values("kind")
            .annotate(n=Count("pk"))
            .order_by("kind")
        )
        labels = dict(Organisation.Kind.choices)
        figures["org_kinds"] = [(labels.get(r["kind"], r["kind"]), r["n"]) for r in by_kind]
        figures["tops"] = list(tree_top_nodes(user))
    return figures
