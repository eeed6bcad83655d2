"""State fields in migration states add no ``class_prepared`` receivers; real models keep their transitions."""

from django.db.migrations.loader import MigrationLoader
from django.db.models.signals import class_prepared

from appeals.models import Appeal


def test_rendering_the_migration_state_connects_no_receivers():
    loader = MigrationLoader(None, ignore_no_migrations=True)
    before = len(class_prepared._live_receivers(None)[0])
    historical = loader.project_state().apps  # renders every historical model, state fields included
    assert historical.get_model("appeals", "Appeal")
    assert len(class_prepared._live_receivers(None)[0]) == before


def test_real_models_keep_their_transitions():
    field = Appeal._meta.get_field("state")
    assert field.transitions[Appeal], "the appeal state field lost its transition methods"
