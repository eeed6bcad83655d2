from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "assessment"
    verbose_name = "绩效考核"

    def ready(self) -> None:
        from assessment import indicators

        indicators.register()
