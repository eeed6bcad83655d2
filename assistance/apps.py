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
