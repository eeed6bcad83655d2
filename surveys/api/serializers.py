from __future__ import annotations

from rest_framework import serializers

from surveys.models import Survey
from surveys.selectors import rate


class SurveySerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.code")
    organisation_name = serializers.CharField(source="organisation.name")
    state_display = serializers.CharField(source="get_state_display")
    sent = serializers.IntegerField(source="sent_count")
    answered = serializers.IntegerField(source="answered_count")
    response_rate = serializers.SerializerMethodField(help_text="答卷率（%），无人受邀时为空")

    class Meta:
        model = Survey
        fields = [
            "id", "title", "organisation", "organisation_name", "anonymous", "audience", "sample_size",
            "state", "state_display", "sent_on", "closes_on", "closed_on", "sent", "answered", "response_rate",
        ]  # fmt: skip

    def get_response_rate(self, obj: Survey) -> str | None:
        value = rate(obj.answered_count, obj.sent_count)
        return None if value is None else str(value)
