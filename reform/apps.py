from django.apps import AppConfig


class ReformConfig(AppConfig):
    name = "reform"
    verbose_name = "改革任务"

    def ready(self) -> None:
        from accounts.history import register_history_model

        register_history_model("reform_plan", "改革方案", "reform.Plan")
        register_history_model("reform_task", "改革任务", "reform.Task")
