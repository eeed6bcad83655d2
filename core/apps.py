from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "共享内核"

    def ready(self) -> None:
        from core import audit, checks  # noqa: F401  (connect signals, register checks)
        from core.fsm import skip_transitions_in_migration_states

        skip_transitions_in_migration_states()
