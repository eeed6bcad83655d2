from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "dashboard"
    verbose_name = "工作台"

    def ready(self) -> None:
        from dashboard import tallies
        from orgs.registry import register_move_hook

        # a moved subtree's rows change town: recount in the move's own transaction (never stale)
        register_move_hook(lambda organisation: tallies.rebuild())
