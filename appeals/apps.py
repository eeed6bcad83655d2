from django.apps import AppConfig


class AppealsConfig(AppConfig):
    name = "appeals"
    verbose_name = "职工诉求"

    def ready(self) -> None:
        from accounts.history import register_history_model
        from appeals.selectors import open_appeals_counter
        from appeals.services import appeal_deadlines_replan, open_appeals_guard
        from core.workdays import register_calendar_listener
        from orgs.registry import register_close_guard, register_subtree_counter

        register_close_guard(open_appeals_guard)
        register_calendar_listener(appeal_deadlines_replan)
        register_subtree_counter(open_appeals_counter())
        register_history_model("appeal", "职工诉求", "appeals.Appeal")
        register_history_model("referral", "诉求转办", "appeals.Referral")
        register_history_model("liaison", "联络人指派", "appeals.LiaisonAssignment")
