"""A reform plan for tests, built through the services."""

from __future__ import annotations

from datetime import date
from typing import Any

from reform import services
from reform.models import Plan, Task


def reform_plan(district: Any, *, title: str = "2017年工会改革方案") -> tuple[Plan, Task, Task]:
    """The district's plan (drawn up by the 组织部 officer) with two phases and one task for each
    town: task A led by town A with union A as pilot site, task B led by town B (piloting union B)."""
    actor = district.user("org_dept")
    plan = services.plan_create(
        actor=actor,
        organisation=district.root,
        title=title,
        year=2017,
        starts_on=date(2017, 3, 1),
        ends_on=date(2017, 12, 31),
        summary="边调研、边谋划、边试点、边推进",
    )
    first = services.phase_add(
        actor=actor, plan=plan, name="调研谋划", starts_on=date(2017, 3, 1), ends_on=date(2017, 6, 30)
    )
    second = services.phase_add(
        actor=actor, plan=plan, name="试点推进", starts_on=date(2017, 7, 1), ends_on=date(2017, 12, 31)
    )
    a = services.task_add(
        actor=actor,
        plan=plan,
        phase=first,
        number="1",
        title="甲标记任务：联合会经费保障试点",
        responsible_org=district.town_a,
        responsible_person="杨洋",
        starts_on=date(2017, 3, 1),
        due_on=date(2017, 10, 10),
        pilot_sites=[district.union_a],
    )
    b = services.task_add(
        actor=actor,
        plan=plan,
        phase=second,
        number="2",
        title="乙标记任务：职工问卷调查",
        responsible_org=district.town_b,
        starts_on=date(2017, 7, 1),
        due_on=date(2017, 11, 30),
        pilot_sites=[district.union_b],
    )
    return plan, a, b


def town_plans(district: Any) -> tuple[Task, Task]:
    """A plan of each town with one task (their markers 甲标记/乙标记): the scope battery's rows."""
    actor = district.user("org_dept")
    tasks = []
    for tag, town, union in (
        ("甲标记", district.town_a, district.union_a),
        ("乙标记", district.town_b, district.union_b),
    ):
        plan = services.plan_create(
            actor=actor,
            organisation=town,
            title=f"{tag}方案",
            year=2017,
            starts_on=date(2017, 1, 1),
            ends_on=date(2017, 12, 31),
        )
        tasks.append(
            services.task_add(
                actor=actor,
                plan=plan,
                number="1",
                title=f"{tag}任务",
                responsible_org=union,
                starts_on=date(2017, 1, 1),
                due_on=date(2017, 6, 30),
                pilot_sites=[union],
            )
        )
    return tasks[0], tasks[1]
