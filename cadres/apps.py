from django.apps import AppConfig


class CadresConfig(AppConfig):
    name = "cadres"
    verbose_name = "工会干部与社工"

    def ready(self) -> None:
        from accounts.history import register_history_model

        register_history_model("post", "工会职务", "cadres.Post")
        register_history_model("social_worker", "专职工会社会工作者", "cadres.SocialWorker")
        register_history_model("training_class", "干部培训班", "cadres.TrainingClass")
