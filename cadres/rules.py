"""Which posts a union must have filled, and how far ahead a term counts as expiring."""

from __future__ import annotations

from cadres.models import Post
from orgs.models import Organisation

EXPIRY_WINDOW_DAYS = 90

# Every active union organisation (the district, towns/streets/zones/sectors and grassroots unions)
# must have a chair and at least one 经审委员 (the audit committee is required by the Trade Union Law).
UNION_KINDS = frozenset(
    {Organisation.Kind.DISTRICT} | Organisation.SUB_FEDERATION_KINDS | Organisation.GRASSROOTS_KINDS
)
REQUIRED_ROLES: tuple[str, ...] = (Post.Role.CHAIR, Post.Role.AUDIT)

# Towns and streets whose chair is part-time must have a full-time vice-chair (the reform's rule).
FULL_TIME_VICE_KINDS = frozenset({Organisation.Kind.TOWN, Organisation.Kind.STREET})
