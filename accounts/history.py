"""Browsing django-simple-history records of the domain models (the data-change audit trail)."""

from __future__ import annotations

from django.apps import apps
from django.db.models import QuerySet

# label -> "app_label.Model" of a model that has HistoricalRecords; apps add theirs here.
HISTORY_MODELS: dict[str, tuple[str, str]] = {
    "organisation": ("组织", "orgs.Organisation"),
    "role_assignment": ("角色分配", "orgs.RoleAssignment"),
}


def register_history_model(key: str, label: str, model_label: str) -> None:
    HISTORY_MODELS[key] = (label, model_label)


def history_rows(key: str, username: str = "") -> QuerySet:
    model = apps.get_model(HISTORY_MODELS[key][1])
    qs = model.history.select_related("history_user").order_by("-history_date", "-history_id")
    if username.strip():
        qs = qs.filter(history_user__username__icontains=username.strip())
    return qs
