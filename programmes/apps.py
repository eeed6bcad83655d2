from django.apps import AppConfig

from funds.chart import FundAccount


class ProgrammesConfig(AppConfig):
    name = "programmes"
    verbose_name = "资金项目"
    # The funds the three organisation programmes pay from (funds/chart.py).
    fund_accounts = (
        FundAccount("3101", "建会专项基金"),  # startup_grant: 新建工会启动经费
        FundAccount("3102", "税务代收经费返还"),  # dues_rebate
        FundAccount("3103", "联合工会经费保障资金"),  # joint_union_subsidy
    )

    def ready(self) -> None:
        from funds.engine import register_programme
        from programmes import indicators
        from programmes.plugins import PLUGINS

        for plugin in PLUGINS:
            register_programme(plugin.key, plugin)
        indicators.register()  # the assessment's dues and start-up grant indicators
