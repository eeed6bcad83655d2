from __future__ import annotations

from rest_framework import serializers

from activities.craftsmen import CraftsmanSelection, Nomination
from activities.innovation import InnovationItem
from activities.models import Activity, Registration
from activities.studios import Studio, StudioOutput
from members.models import Honour


class EventSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.code", read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    eligible_org = serializers.CharField(source="eligible_org.code", read_only=True, default=None)
    co_organisers = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Activity
        fields = [
            "id",
            "organisation",
            "organisation_name",
            "co_organisers",
            "title",
            "kind",
            "skill",
            "place",
            "held_on",
            "ends_on",
            "capacity",
            "registration_opens",
            "registration_closes",
            "eligible_org",
            "participants",
            "state",
            "reported_at",
            "reviewed_at",
            "review_note",
        ]
        read_only_fields = fields


class EventCreateSerializer(serializers.Serializer):
    organisation = serializers.CharField(max_length=40, help_text="举办工会编码")
    title = serializers.CharField(max_length=120)
    kind = serializers.ChoiceField(choices=Activity.Kind.choices)
    skill = serializers.CharField(max_length=60, required=False, default="")
    place = serializers.CharField(max_length=120, required=False, default="")
    held_on = serializers.DateField()
    ends_on = serializers.DateField(required=False, allow_null=True, default=None)
    capacity = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1, max_value=100_000)
    registration_opens = serializers.DateField(required=False, allow_null=True, default=None)
    registration_closes = serializers.DateField(required=False, allow_null=True, default=None)
    eligible_org = serializers.CharField(
        max_length=40, required=False, default="", help_text="参加范围工会编码，空为举办工会"
    )
    co_organisers = serializers.ListField(child=serializers.CharField(max_length=40), required=False, default=list)


class ReviewSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    note = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


class ReportSerializer(serializers.Serializer):
    participants = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1, max_value=1_000_000
    )


class RegistrationSerializer(serializers.ModelSerializer):
    activity_title = serializers.CharField(source="activity.title", read_only=True)
    person_name = serializers.CharField(source="person.name", read_only=True)
    honour = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Registration
        fields = [
            "id",
            "activity",
            "activity_title",
            "person",
            "person_name",
            "channel",
            "registered_at",
            "attended",
            "score",
            "rank",
            "award",
            "honour",
        ]
        read_only_fields = fields


class HonourSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)
    registration = serializers.PrimaryKeyRelatedField(read_only=True, default=None)
    craftsman_nomination = serializers.PrimaryKeyRelatedField(read_only=True, default=None)

    class Meta:
        model = Honour
        fields = [
            "id",
            "person",
            "person_name",
            "title",
            "level",
            "awarded_on",
            "awarded_by",
            "note",
            "registration",
            "craftsman_nomination",
        ]
        read_only_fields = fields


class SelectionSerializer(serializers.ModelSerializer):
    organiser_code = serializers.CharField(source="organiser.code", read_only=True)

    class Meta:
        model = CraftsmanSelection
        fields = [
            "id",
            "year",
            "organiser",
            "organiser_code",
            "quota",
            "nominations_close",
            "notice_starts",
            "notice_ends",
            "awarded_on",
            "state",
        ]
        read_only_fields = fields


class NominationSerializer(serializers.ModelSerializer):
    year = serializers.IntegerField(source="selection.year", read_only=True)
    union_code = serializers.CharField(source="union.code", read_only=True)
    person_name = serializers.CharField(source="person.name", read_only=True)
    honour = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Nomination
        fields = [
            "id",
            "selection",
            "year",
            "union",
            "union_code",
            "person",
            "person_name",
            "trade",
            "deeds",
            "nominated_at",
            "combined_score",
            "rank",
            "outcome",
            "honour",
        ]
        read_only_fields = fields


class StudioOutputSerializer(serializers.ModelSerializer):
    studio_name = serializers.CharField(source="studio.name", read_only=True)

    class Meta:
        model = StudioOutput
        fields = ["id", "studio", "studio_name", "year", "innovations", "trainees", "patents", "recorded_at"]
        read_only_fields = fields


class StudioSerializer(serializers.ModelSerializer):
    union_code = serializers.CharField(source="union.code", read_only=True)
    union_name = serializers.CharField(source="union.name", read_only=True)
    leader_name = serializers.CharField(source="leader.name", read_only=True)
    outputs = serializers.SerializerMethodField(help_text="年度成果，按年度降序")

    class Meta:
        model = Studio
        fields = [
            "id", "kind", "name", "union", "union_code", "union_name", "leader", "leader_name", "level",
            "plaque_on", "field", "outputs",
        ]  # fmt: skip
        read_only_fields = fields

    def get_outputs(self, studio: Studio) -> list[dict]:
        rows = sorted(studio.outputs.all(), key=lambda o: -o.year)  # prefetched
        return [
            {"year": o.year, "innovations": o.innovations, "trainees": o.trainees, "patents": o.patents} for o in rows
        ]


class InnovationItemSerializer(serializers.ModelSerializer):
    union_code = serializers.CharField(source="union.code", read_only=True)
    union_name = serializers.CharField(source="union.name", read_only=True)
    person_name = serializers.CharField(source="person.name", read_only=True, default=None)
    reward_status = serializers.CharField(read_only=True)
    cycle = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = InnovationItem
        fields = [
            "id", "number", "year", "kind", "title", "content", "benefit", "union", "union_code", "union_name",
            "person", "person_name", "channel", "submitted_at", "state", "grade", "opinion", "reviewed_at",
            "amount", "amount_explanation", "cycle", "reward_status",
        ]  # fmt: skip
        read_only_fields = fields


class InnovationCreateSerializer(serializers.Serializer):
    union = serializers.CharField(max_length=40, help_text="申报单位（工会）编码")
    kind = serializers.ChoiceField(choices=InnovationItem.Kind.choices)
    title = serializers.CharField(max_length=120)
    content = serializers.CharField(max_length=5000)
    benefit = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    person_name = serializers.CharField(max_length=40, required=False, default="", help_text="职工个人申报时填写")
    person_id_number = serializers.CharField(max_length=18, required=False, default="", help_text="空为单位申报")


class GradeSerializer(serializers.Serializer):
    grade = serializers.ChoiceField(choices=InnovationItem.Grade.choices)
    opinion = serializers.CharField(max_length=300)


class InnovationCountsSerializer(serializers.Serializer):
    subtree = serializers.CharField()
    year = serializers.IntegerField()
    submitted = serializers.IntegerField()
    adopted = serializers.IntegerField()
    rewarded = serializers.IntegerField()
    rewarded_yuan = serializers.DecimalField(max_digits=14, decimal_places=2)
