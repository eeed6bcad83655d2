from __future__ import annotations

from rest_framework import serializers

from assessment.models import Assessment, AssessmentResult, Indicator, IndicatorSet


class IndicatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Indicator
        fields = ["position", "source", "key", "label", "weight", "score_min", "score_max", "floor", "target"]


class IndicatorSetSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.code")
    indicators = IndicatorSerializer(many=True)

    class Meta:
        model = IndicatorSet
        fields = [
            "id",
            "organisation",
            "year",
            "assessee_kind",
            "name",
            "pass_score",
            "grade_bands",
            "manual_rule",
            "indicators",
        ]


class VersionSerializer(serializers.ModelSerializer):
    indicator_set = serializers.IntegerField(source="indicator_set_id")
    compared_to = serializers.SerializerMethodField()

    class Meta:
        model = Assessment
        fields = [
            "id",
            "indicator_set",
            "version",
            "state",
            "period_start",
            "period_end",
            "assessees",
            "indicators",
            "compared_to",
            "differences",
            "note",
            "computed_at",
            "published_at",
        ]

    def get_compared_to(self, obj: Assessment) -> int | None:
        return obj.compared_to.version if obj.compared_to_id else None


class ResultSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.code")
    organisation_name = serializers.CharField(source="organisation.name")
    assessee_kind = serializers.CharField(source="assessment.indicator_set.assessee_kind")
    social_worker = serializers.IntegerField(source="social_worker_id", allow_null=True)
    social_worker_name = serializers.SerializerMethodField()
    year = serializers.IntegerField(source="assessment.indicator_set.year")
    version = serializers.IntegerField(source="assessment.version")
    state = serializers.CharField(source="assessment.state")

    class Meta:
        model = AssessmentResult
        fields = [
            "id",
            "organisation",
            "organisation_name",
            "assessee_kind",
            "social_worker",
            "social_worker_name",
            "year",
            "version",
            "state",
            "total",
            "rank",
            "grade",
            "passed",
            "lines",
        ]

    def get_social_worker_name(self, obj: AssessmentResult) -> str | None:
        return obj.social_worker.name if obj.social_worker_id else None
