from __future__ import annotations

from rest_framework import serializers

from appeals import selectors
from appeals.models import Appeal, Category, Referral, TimelineEntry


class TimelineSerializer(serializers.ModelSerializer):
    class Meta:
        model = TimelineEntry
        fields = ["at", "actor_label", "action", "state_from", "state_to", "note"]
        read_only_fields = fields


class ReferralSerializer(serializers.ModelSerializer):
    handler_org = serializers.CharField(source="handler_org.code", read_only=True)
    handler_name = serializers.CharField(source="handler_org.name", read_only=True)

    class Meta:
        model = Referral
        fields = [
            "id",
            "handler_org",
            "handler_name",
            "role",
            "state",
            "round",
            "deadline",
            "deadline_provisional",
            "result",
            "return_reason",
            "overdue",
        ]
        read_only_fields = fields


class AppealSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)
    organisation = serializers.CharField(source="organisation.code", read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    category = serializers.CharField(source="category.code", read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    lead_handler_org = serializers.CharField(source="lead_handler_org.code", read_only=True, default=None)

    class Meta:
        model = Appeal
        fields = [
            "id",
            "number",
            "title",
            "description",
            "organisation",
            "organisation_name",
            "category",
            "channel",
            "state",
            "state_display",
            "anonymous",
            "third_party",
            "registered_at",
            "contact_deadline",
            "contact_deadline_provisional",
            "handling_deadline",
            "handling_deadline_provisional",
            "contacted_at",
            "contacted_in_time",
            "lead_handler_org",
            "result",
            "resolved",
            "rating",
            "rating_comment",
            "reopen_count",
            "overdue",
            "invalid",
            "invalid_reason",
        ]
        read_only_fields = fields


class AppealDetailSerializer(AppealSerializer):
    timeline = serializers.SerializerMethodField()
    referrals = ReferralSerializer(many=True, read_only=True)

    class Meta(AppealSerializer.Meta):
        fields = [*AppealSerializer.Meta.fields, "timeline", "referrals"]
        read_only_fields = fields

    def get_timeline(self, obj: Appeal) -> list[dict]:
        # One rule for every reader: internal notes only for the officers whose back office covers it.
        return TimelineSerializer(selectors.timeline_for(self.context["request"].user, obj), many=True).data


class AppealCreateSerializer(serializers.Serializer):
    organisation = serializers.CharField(
        required=False, help_text="所属工会编码（热线/来访登记必填；职工端提交时不填）"
    )
    category = serializers.SlugRelatedField(slug_field="code", queryset=Category.objects.all())
    channel = serializers.ChoiceField(choices=Appeal.Channel.choices, default=Appeal.Channel.HOTLINE)
    title = serializers.CharField(max_length=100)
    description = serializers.CharField()
    reporter_name = serializers.CharField(required=False, allow_blank=True, default="")
    anonymous = serializers.BooleanField(default=False)
    third_party = serializers.BooleanField(default=False)
    contact_phone = serializers.CharField(required=False, allow_blank=True, default="")
    preferred_contact = serializers.ChoiceField(choices=Appeal.Contact.choices, default=Appeal.Contact.PHONE)


class RateSerializer(serializers.Serializer):
    rating = serializers.ChoiceField(choices=Appeal.Rating.choices)
    comment = serializers.CharField(required=False, allow_blank=True, default="")


TRANSITIONS = ["contact", "note", "refer", "feedback", "invalid", "accept", "complete", "return"]


class TransitionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=TRANSITIONS)
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="contact/note 的沟通内容；complete/feedback 的办理情况；invalid/return 的原因",
    )
    lead = serializers.CharField(required=False, allow_blank=True, default="", help_text="refer：主办单位编码")
    co_handlers = serializers.ListField(
        child=serializers.CharField(), required=False, default=list, help_text="refer：协办单位编码"
    )
    deadline = serializers.DateField(required=False, allow_null=True, default=None)
    resolved = serializers.BooleanField(required=False, default=True)
    referral = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="accept/complete/return：转办子项 id"
    )
