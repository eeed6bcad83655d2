"""The back-office menu: each entry shows only to users whose roles grant its action somewhere."""

from __future__ import annotations

from dataclasses import dataclass

from orgs.roles import Perm


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    perm: str | None  # None: every signed-in user


@dataclass(frozen=True)
class NavGroup:
    label: str
    items: tuple[NavItem, ...]


MENU: tuple[NavGroup, ...] = (
    NavGroup(
        "驾驶舱",
        (
            NavItem("领导驾驶舱", "dashboard:leader", Perm.ORG_VIEW),
            NavItem("工作简报", "dashboard:report", Perm.ORG_VIEW),
        ),
    ),
    NavGroup(
        "组织",
        (
            NavItem("组织架构", "orgs:tree", Perm.ORG_VIEW),
            NavItem("组织列表", "orgs:list", Perm.ORG_VIEW),
        ),
    ),
    NavGroup(
        "会员",
        (
            NavItem("会员名单", "members:list", Perm.MEMBER_VIEW),
            NavItem("登记会员", "members:create", Perm.MEMBER_CHANGE),
            NavItem("Excel 导入", "members:import", Perm.MEMBER_IMPORT),
        ),
    ),
    NavGroup(
        "诉求",
        (
            NavItem("诉求工作台", "appeals:list", Perm.APPEAL_OFFICE),
            NavItem("登记诉求", "appeals:create", Perm.APPEAL_HANDLE),
            NavItem("三率统计", "appeals:rates", Perm.APPEAL_OFFICE),
            NavItem("联络人覆盖", "appeals:liaisons", Perm.APPEAL_OFFICE),
            NavItem("我的诉求（职工端）", "portal:home", Perm.APPEAL_SUBMIT),
            NavItem("站内通知", "appeals:notifications", None),
        ),
    ),
    NavGroup(
        "干部与社工",
        (
            NavItem("工会干部任职", "cadres:posts", Perm.CADRE_VIEW),
            NavItem("干部配备情况", "cadres:staffing", Perm.CADRE_VIEW),
            NavItem("专职社工", "cadres:workers", Perm.CADRE_VIEW),
            NavItem("社工招聘", "cadres:recruitments", Perm.CADRE_VIEW),
            NavItem("干部培训班", "cadres:classes", Perm.CADRE_VIEW),
            NavItem("培训记录", "cadres:records", Perm.CADRE_VIEW),
            NavItem("年度培训覆盖", "cadres:coverage", Perm.CADRE_VIEW),
        ),
    ),
    NavGroup(
        "资金",
        (
            NavItem("资金项目与发放", "funds:programme_list", Perm.FUND_VIEW),
            NavItem("支付记录", "funds:payment_list", Perm.FUND_VIEW),
            NavItem("银行批次与对账", "funds:batch_list", Perm.FUND_VIEW),
            NavItem("收款账户", "funds:payee_account_list", Perm.FUND_VIEW),
            NavItem("启动经费使用", "programmes:grant_list", Perm.FUND_VIEW),
            NavItem("税务代收经费", "programmes:dues_list", Perm.FUND_VIEW),
            NavItem("捐赠与拨款", "funds:donation_list", Perm.FUND_VIEW),
            NavItem("会计科目与明细账", "funds:account_list", Perm.FUND_VIEW),
            NavItem("记账凭证", "funds:entry_list", Perm.FUND_VIEW),
            NavItem("试算平衡表", "funds:trial_balance", Perm.FUND_VIEW),
        ),
    ),
    NavGroup(
        "困难帮扶",
        (
            NavItem("困难职工档案", "assistance:file_list", Perm.ASSISTANCE_VIEW),
            NavItem("代为申请建档", "assistance:file_create", Perm.ASSISTANCE_APPLY),
            NavItem("会员帮扶档案状态", "assistance:status_list", Perm.ASSISTANCE_STATUS),
            NavItem("低保标准与认定标准", "assistance:standard_list", Perm.ASSISTANCE_VIEW),
            NavItem("帮扶统计", "assistance:figures", Perm.ASSISTANCE_FIGURES),
        ),
    ),
    NavGroup(
        "活动与考评",
        (
            NavItem("活动与竞赛", "activities:list", Perm.ORG_VIEW),
            NavItem("活动统计", "activities:figures", Perm.ORG_VIEW),
            NavItem("活动参与明细", "activities:registrations", Perm.MEMBER_VIEW),
            NavItem("顺义工匠评选", "activities:craftsmen", Perm.ORG_VIEW),
            NavItem("创新/劳模工作室", "activities:studios", Perm.ORG_VIEW),
            NavItem("绩效考核结果", "assessment:list", Perm.ORG_VIEW),
            NavItem("考核指标体系", "assessment:sets", Perm.ORG_VIEW),
        ),
    ),
    NavGroup(
        "改革与调查",
        (
            NavItem("改革方案", "reform:plan_list", Perm.REFORM_VIEW),
            NavItem("任务单", "reform:task_list", Perm.REFORM_VIEW),
            NavItem("问卷调查", "surveys:list", Perm.SURVEY_VIEW),
        ),
    ),
    NavGroup(
        "系统",
        (
            NavItem("用户与角色", "accounts:user_list", Perm.USER_MANAGE),
            NavItem("安全审计", "accounts:audit", Perm.AUDIT_VIEW),
            NavItem("数据变更记录", "accounts:history", Perm.AUDIT_VIEW),
            NavItem("工作日历", "accounts:calendar", Perm.CALENDAR_MANAGE),
            NavItem("接口文档", "api:docs", Perm.API_DOCS),
        ),
    ),
)
