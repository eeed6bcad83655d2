from django.apps import AppConfig

from funds.chart import FundAccount


class AssistanceConfig(AppConfig):
    name = "assistance"
    verbose_name = "困难职工帮扶"
    # The funds this app's programmes pay from (declared identically by funds, whose donation register
    # and budgets need them before any programme runs).
    fund_accounts = (
        FundAccount("3104", "困难职工帮扶资金"),
        FundAccount("3105", "顺义区职工专项温暖基金"),
        FundAccount("3106", "金秋助学资金"),
    )

    def ready(self) -> None:
        from accounts.history import register_history_model
        from assistance.selectors.files import person_file_panel
        from members.panels import register_person_panel

        register_history_model("hardship_file", "困难职工档案", "assistance.HardshipFile")
        register_history_model("household_member", "困难职工家庭成员", "assistance.HouseholdMember")
        register_history_model("local_standard", "低保与认定标准", "assistance.LocalStandard")
        register_person_panel(person_file_panel)

        from assistance import figures_allowance
        from assistance.plugins import allowance, holiday
        from funds.engine import register_programme

        for plugin in (*allowance.PLUGINS, *holiday.PLUGINS):
            register_programme(plugin.key, plugin)
        figures_allowance.register()
        self._ready_relief()

    def _ready_relief(self) -> None:
        """大病救助 and 金秋助学 (docs/assistance-relief.md): plug-ins, the after-donation release, figures."""
        from assistance.plugins.relief import Relief
        from assistance.plugins.scholarship import Scholarship
        from assistance.services.relief import after_donation
        from funds.engine import register_programme
        from funds.services import register_after_donation

        register_programme(Relief.key, Relief())
        register_programme(Scholarship.key, Scholarship())
        register_after_donation(after_donation)
        from assistance import figures_relief

        figures_relief.register()
