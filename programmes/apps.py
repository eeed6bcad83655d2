from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "programmes"
    verbose_name = "资金项目"

    def ready(self) -> None:
        from funds.engine import register_programme
        from programmes.plugins import PLUGINS

        for plugin in PLUGINS:
            register_programme(plugin.key, plugin)
