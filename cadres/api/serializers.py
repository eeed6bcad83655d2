from __future__ import annotations

from rest_framework import serializers

from cadres.models import Attendance, Post, SocialWorker


class PostSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.code", read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    name = serializers.CharField(source="cadre.name", read_only=True)
    role_label = serializers.CharField(source="get_role_display", read_only=True)

    class Meta:
        model = Post
        fields = [
            "id", "organisation", "organisation_name", "name", "role", "role_label", "full_time", "rank",
            "separate_quota", "selection", "term_start", "term_end", "started_on", "ended_on", "end_reason",
        ]  # fmt: skip
        read_only_fields = fields


class PostCreateSerializer(serializers.Serializer):
    organisation = serializers.CharField(max_length=40, help_text="工会组织编码")
    name = serializers.CharField(max_length=50)
    role = serializers.ChoiceField(choices=Post.Role.choices)
    full_time = serializers.BooleanField(default=False)
    rank = serializers.ChoiceField(choices=Post.Rank.choices, default="", allow_blank=True)
    separate_quota = serializers.BooleanField(default=False)
    selection = serializers.ChoiceField(choices=Post.Selection.choices, default=Post.Selection.ELECTED)
    term_start = serializers.DateField()
    term_end = serializers.DateField()
    started_on = serializers.DateField()


class SocialWorkerSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.code", read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    stage_label = serializers.CharField(source="get_stage_display", read_only=True)
    pay_grade = serializers.CharField(source="pay_grade.name", read_only=True, default=None)
    serving = serializers.CharField(read_only=True, default=None)
    last_year = serializers.IntegerField(read_only=True, default=None)
    last_result = serializers.CharField(read_only=True, default=None)

    class Meta:
        model = SocialWorker
        fields = [
            "id", "name", "organisation", "organisation_name", "stage", "stage_label", "hired_on", "left_on",
            "pay_grade", "serving", "last_year", "last_result",
        ]  # fmt: skip
        read_only_fields = fields


class TrainingRecordSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="cadre.name", read_only=True)
    organisation = serializers.CharField(source="organisation.code", read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    training_class = serializers.CharField(source="training_class.title", read_only=True)
    mode = serializers.CharField(source="training_class.mode", read_only=True)
    organiser = serializers.CharField(source="training_class.organisation.code", read_only=True)
    hours = serializers.DecimalField(source="training_class.hours", max_digits=5, decimal_places=1, read_only=True)

    class Meta:
        model = Attendance
        fields = [
            "id", "name", "organisation", "organisation_name", "training_class", "mode", "organiser", "hours",
            "status", "completed_on",
        ]  # fmt: skip
        read_only_fields = fields
