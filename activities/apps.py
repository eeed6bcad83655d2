from django.apps import AppConfig

from funds.chart import FundAccount


class ActivitiesConfig(AppConfig):
    name = "activities"
    verbose_name = "活动与竞赛"
    # The fund the innovation rewards (普惠制服务项目) are paid from (docs/activities.md).
    fund_accounts = (FundAccount("3107", "职工创新奖励资金"),)

    def ready(self) -> None:
        from activities.innovation_reward import PLUGINS
        from funds.engine import register_programme

        for plugin in PLUGINS:
            register_programme(plugin.key, plugin)
