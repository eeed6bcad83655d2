from __future__ import annotations

from rest_framework import serializers

from reform.models import Plan, Task


class PlanSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.code")
    organisation_name = serializers.CharField(source="organisation.name")
    tasks = serializers.IntegerField(source="task_count")
    done = serializers.IntegerField(source="done_count")

    class Meta:
        model = Plan
        fields = [
            "id",
            "title",
            "kind",
            "year",
            "organisation",
            "organisation_name",
            "starts_on",
            "ends_on",
            "tasks",
            "done",
        ]


class TaskSerializer(serializers.ModelSerializer):
    plan = serializers.IntegerField(source="plan_id")
    phase = serializers.CharField(source="phase.name", default=None)
    responsible_org = serializers.CharField(source="responsible_org.code")
    responsible_org_name = serializers.CharField(source="responsible_org.name")
    state_display = serializers.CharField(source="get_state_display")
    latest_percent = serializers.IntegerField(help_text="最近一次进展报告的完成比例（%）")
    milestones = serializers.IntegerField(source="milestone_count")
    milestones_done = serializers.IntegerField()

    class Meta:
        model = Task
        fields = [
            "id", "plan", "phase", "number", "title", "responsible_org", "responsible_org_name",
            "responsible_person", "starts_on", "due_on", "state", "state_display", "completed_on",
            "latest_percent", "milestones", "milestones_done",
        ]  # fmt: skip
