"""``{% org_tree "members.view" selected %}``: the organisation tree beside a list (orgs.pickers.side_tree).

Each organisation links to the same list with ``?subtree=<code>`` (the list's other filters kept); its
children load in place through htmx, and without JavaScript a click opens the chosen branch.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.http import urlencode

from orgs.models import Organisation
from orgs.pickers import PickerScope, side_tree

register = template.Library()


def tree_links(href: str, keep: str, param: str, scope: PickerScope) -> dict[str, str]:
    """What every node of one tree links to: ``href?keep&param=<code>``, and where its children load from."""
    query = urlencode({"href": href, "keep": keep, "param": param})
    return {
        "href": href,
        "keep": keep,
        "param": param,
        "branch_url": f"{reverse('orgs:branch')}?{scope.query()}&{query}",
    }


@register.inclusion_tag("orgs/_side_tree.html", takes_context=True)
def org_tree(context: template.Context, perm: str, selected: Any = None, param: str = "subtree") -> dict[str, Any]:
    request = context["request"]
    chosen = selected if isinstance(selected, Organisation) else None
    keep = request.GET.copy()
    for key in ("page", "export", param):
        keep.pop(key, None)
    scope = PickerScope(perm=perm, active_only=False)
    links = tree_links(request.path, keep.urlencode(), param, scope)
    return {
        "branches": side_tree(request.user, scope, chosen),
        "chosen": chosen,
        "all_url": f"{request.path}?{links['keep']}",
        **links,
    }
