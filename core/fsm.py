"""django-fsm-2 connects a ``class_prepared`` receiver for every state field it meets, the models
that the migrations render included: building a database renders thousands of those, every one adds a
receiver that every later model class then calls, and creating the test database took minutes."""

from __future__ import annotations

from django.apps import apps as global_apps
from django.db.models.signals import class_prepared
from django_fsm import FSMFieldMixin

_contribute_to_class = FSMFieldMixin.contribute_to_class


def _contribute_to_class_without_history(self, cls, name, *args, **kwargs):  # type: ignore[no-untyped-def]
    _contribute_to_class(self, cls, name, *args, **kwargs)
    if cls._meta.apps is not global_apps:
        # A migration's historical model: it has no transition methods to collect.
        class_prepared.disconnect(self._collect_transitions)


def skip_transitions_in_migration_states() -> None:
    FSMFieldMixin.contribute_to_class = _contribute_to_class_without_history
