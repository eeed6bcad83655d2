"""Demo step: the district's 2017 trade-union reform plan (the 折子工程's road map, timetable and task
sheet) and the pilot plan for joint-union funding in six joint unions of two towns and one street,
from the reform report; driven through the services. Deterministic and idempotent."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction

from core.models import User
from orgs.models import Organisation
from reform import services
from reform.models import Plan

D = date
PLAN_TITLE = "顺义区总工会2017年工会改革方案（区委深改领导小组折子工程）"
PILOT_TITLE = "社区（村）联合工会经费保障制度改革试点工作方案"

# (number, title, phase, responsible org code, person, start, due, completed on | None,
#  [(report date, percent, text)], [(milestone, due, done on | None)])
REFORM_TASKS: list[tuple[Any, ...]] = [
    (
        "1",
        "制定区总工会《改革方案》并于10月底前向区委常委会汇报",
        1,
        "SY",
        "区总工会办公室",
        D(2017, 3, 1),
        D(2017, 10, 31),
        D(2017, 10, 27),
        [
            (D(2017, 6, 20), 40, "完成基层调研，形成方案初稿"),
            (D(2017, 9, 28), 85, "征求意见后修改完善，提交区委深改办"),
        ],
        [("区委常委会听取汇报", D(2017, 10, 31), D(2017, 10, 27))],
    ),
    (
        "2",
        "出台《经济技术创新工作三年助推计划实施方案》，推出面向基层单位和会员的普惠制服务项目",
        2,
        "SY",
        "经济技术部 赵磊",
        D(2017, 4, 1),
        D(2017, 9, 30),
        D(2017, 9, 15),
        [(D(2017, 7, 10), 60, "方案经党组会审议")],
        [],
    ),
    (
        "3",
        "制定“转型升级调结构”职工素质提升工程实施方案，树立“顺义工匠”、建设职工创新工作室",
        2,
        "SY",
        "经济技术部 赵磊",
        D(2017, 5, 1),
        D(2017, 12, 31),
        D(2017, 12, 20),
        [(D(2017, 8, 30), 50, "区人保局、区科委、区社教中心、区工商联协作格局建立")],
        [("首批职工创新工作室命名", D(2017, 11, 30), D(2017, 11, 28))],
    ),
    (
        "4",
        "配齐配强街镇、局、公司工会专职副主席队伍（按正科实职配备，职数单列）",
        1,
        "SY",
        "组织部 刘建国",
        D(2017, 3, 1),
        D(2017, 8, 31),
        D(2017, 8, 25),
        [(D(2017, 6, 1), 70, "与区委组织部沟通，提前谋划配备")],
        [],
    ),
    (
        "5",
        "规范工会专职社会工作者面试流程，出台管理办法和保障办法",
        1,
        "SY",
        "组织部 刘建国",
        D(2017, 3, 15),
        D(2017, 7, 31),
        D(2017, 7, 20),
        [(D(2017, 6, 15), 80, "管理办法、保障办法印发")],
        [],
    ),
    (
        "6",
        "制定《工会干部教育培训工作实施方案》，每年对基层工会干部集中调训、分批轮训一次",
        2,
        "SY",
        "组织部 刘建国",
        D(2017, 4, 1),
        D(2017, 12, 31),
        D(2017, 12, 15),
        [(D(2017, 10, 15), 75, "镇街、功能区工会分批轮训进行中")],
        [],
    ),
    (
        "7",
        "设立基层新建工会组织专项基金，按会员人数给予每人不低于100元的启动经费",
        2,
        "SY",
        "财务 孙丽",
        D(2017, 3, 1),
        D(2017, 12, 31),
        D(2017, 12, 28),
        [(D(2017, 11, 30), 90, "已为73家新建单位发放建会专项基金30.98万元")],
        [],
    ),
    (
        "8",
        "制定《税务代收工会经费工作考评办法》，按增长额返还基层工会",
        2,
        "SY",
        "财务 孙丽",
        D(2017, 3, 1),
        D(2017, 9, 30),
        D(2017, 9, 20),
        [(D(2017, 8, 1), 70, "去年的返还经费已拨付至各基层工会")],
        [],
    ),
    (
        "9",
        "印发《困难职工解困脱困工作实施方案》，向帮扶系统内困难职工按月发放200元生活补助",
        2,
        "SY",
        "权益保障部 王芳",
        D(2017, 3, 1),
        D(2017, 12, 31),
        D(2017, 12, 31),
        [(D(2017, 11, 1), 85, "已发放生活补助24.72万元")],
        [],
    ),
    (
        "10",
        "整合工、青、妇资源，建立“联系、沟通、协调、处理、反馈、评价”联系服务群众闭环机制",
        3,
        "SY",
        "权益保障部 王芳",
        D(2017, 6, 1),
        D(2017, 12, 31),
        None,
        [(D(2017, 12, 20), 80, "依托区委党校党建绩效考核系统，闭环机制试运行")],
        [("工、青、妇联席会议", D(2017, 9, 30), D(2017, 9, 26)), ("闭环机制全区推行", D(2017, 12, 31), None)],
    ),
]
PILOT_TASKS: list[tuple[Any, ...]] = [
    ("1", "开展大规模调研，摸清社区（村）联合工会经费底数", 1, "SY", "区总工会调研组", D(2017, 3, 1), D(2017, 5, 31), D(2017, 5, 26),
     [(D(2017, 5, 20), 90, "梳理“有组织无经费、有经费无活动、有活动无常态、有工作无规范”问题")], []),
    ("2", "制定经费保障工作方案、试点工作方案、考评方案", 1, "SY", "区总工会办公室", D(2017, 5, 1), D(2017, 6, 30), D(2017, 6, 28),
     [(D(2017, 6, 20), 90, "反复研讨、多次修改，方案定稿")], []),
    ("3", "在仁和镇、后沙峪镇、胜利街道的6个联合工会试行“三补贴三挂钩”经费补贴办法", 2, "SY", "组织部 刘建国",
     D(2017, 7, 1), D(2017, 10, 10), D(2017, 10, 10),
     [(D(2017, 8, 15), 50, "试点单位补贴拨付到位，普遍开展工会活动"), (D(2017, 9, 30), 90, "职工参加活动积极性明显提高")],
     [("试点工作总结汇报会（市总督查组何广亮主任带队）", D(2017, 10, 10), D(2017, 10, 10))]),
    ("4", "西泗上村联合会开展职工问卷调查，评估试点满意度", 2, "SY-102", "后沙峪镇总工会 吴涛", D(2017, 8, 1), D(2017, 11, 30), None,
     [(D(2017, 9, 10), 40, "问卷发放完毕，回收整理中")], [("问卷回收", D(2017, 9, 30), D(2017, 9, 29)), ("形成满意度分析报告", D(2017, 11, 30), None)]),
    ("5", "完善相关政策并在全区推广", 3, "SY", "组织部 刘建国", D(2017, 11, 1), D(2017, 12, 31), None,
     [(D(2017, 12, 15), 30, "起草全区推广意见")], []),
]  # fmt: skip
PHASES = {
    PLAN_TITLE: [("调研谋划", "边调研、边谋划", D(2017, 3, 1), D(2017, 6, 30)),
                 ("试点推进", "边试点、边推进", D(2017, 7, 1), D(2017, 10, 31)),
                 ("总结推广", "在试点基础上完善政策、全区推广", D(2017, 11, 1), D(2017, 12, 31))],
    PILOT_TITLE: [("摸底与方案", "密切对接上级、准确摸清底数", D(2017, 3, 1), D(2017, 6, 30)),
                  ("试点实施", "突出问题导向，聚焦基层需求", D(2017, 7, 1), D(2017, 10, 31)),
                  ("完善推广", "稳步实施推进", D(2017, 11, 1), D(2017, 12, 31))],
}  # fmt: skip
# The report names two towns and one street but not the six unions: the demo takes two of each.
PILOT_SITES = ["SY-101-001", "SY-101-002", "SY-102-001", "SY-102-002", "SY-201-001", "SY-201-002"]
RESPONSIBLE_USERS = {"SY-102": "houshayu"}


def _plan(
    actor: User, title: str, kind: str, summary: str, tasks: list[tuple[Any, ...]], sites: list[Organisation]
) -> None:
    root = Organisation.objects.get(code="SY")
    plan = services.plan_create(
        actor=actor, organisation=root, title=title, kind=kind, year=2017, summary=summary,
        starts_on=D(2017, 3, 1), ends_on=D(2017, 12, 31),
    )  # fmt: skip
    phases = [
        services.phase_add(actor=actor, plan=plan, name=n, goal=g, starts_on=s, ends_on=e)
        for n, g, s, e in PHASES[title]
    ]
    for number, text, phase, code, person, start, due, completed, reports, milestones in tasks:
        org = Organisation.objects.get(code=code)
        username = RESPONSIBLE_USERS.get(code)
        task = services.task_add(
            actor=actor, plan=plan, phase=phases[phase - 1], number=number, title=text, responsible_org=org,
            responsible_person=person, responsible_user=User.objects.filter(username=username).first() if username else None,
            starts_on=start, due_on=due, pilot_sites=sites if kind == Plan.Kind.PILOT and number == "3" else [],
        )  # fmt: skip
        reporter = User.objects.get(username=username) if username else actor
        for title_, due_on, done_on in milestones:
            m = services.milestone_add(actor=actor, task=task, title=title_, due_on=due_on)
            if done_on:
                services.milestone_done(actor=reporter, milestone=m, done_on=done_on)
        for on, percent, note in reports:
            services.progress_report(actor=reporter, task=task, reported_on=on, percent=percent, text=note)
        if completed:
            services.task_complete(actor=reporter, task=task, completed_on=completed)


def build(options: dict[str, Any] | None = None) -> str:
    if not Organisation.objects.filter(code="SY").exists():
        return "改革任务：未找到演示区，跳过"
    if Plan.objects.filter(title=PLAN_TITLE).exists():
        return f"改革任务：演示方案已存在（{Plan.objects.count()} 个），跳过"
    actor = User.objects.get(username="zuzhi")
    sites = list(Organisation.objects.filter(code__in=PILOT_SITES).order_by("code"))
    with transaction.atomic():
        _plan(
            actor,
            PLAN_TITLE,
            Plan.Kind.REFORM,
            "将工会改革纳入区委全面深化改革领导小组2017年改革任务折子工程，明确路线图、时间表和任务单。",
            REFORM_TASKS,
            sites,
        )
        _plan(
            actor,
            PILOT_TITLE,
            Plan.Kind.PILOT,
            "承担市总社区（村）联合工会经费保障制度改革试点任务；选择两个镇、一个街道的6个社区（村）联合工会试点。",
            PILOT_TASKS,
            sites,
        )
    return f"改革任务：2017年改革方案与经费保障试点方案，共 {len(REFORM_TASKS) + len(PILOT_TASKS)} 项任务，试点单位 {len(sites)} 个"
