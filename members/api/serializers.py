"""Members in the API: personal data always masked (the full value is a page action, audited)."""

from __future__ import annotations

from rest_framework import serializers

from core.crypto import mask_id_number, mask_landline, mask_phone
from members.models import Honour, Membership, Person


class HonourSerializer(serializers.ModelSerializer):
    class Meta:
        model = Honour
        fields = ["title", "level", "awarded_on", "awarded_by"]
        read_only_fields = fields


class PersonSerializer(serializers.ModelSerializer):
    id_number_masked = serializers.SerializerMethodField(help_text="脱敏身份证号，如 110113********123X")
    mobile_masked = serializers.SerializerMethodField(help_text="脱敏手机号，如 138****5678")
    phone_masked = serializers.SerializerMethodField(help_text="脱敏联系电话，如 010-****1234")
    birth_year = serializers.SerializerMethodField()

    class Meta:
        model = Person
        fields = [
            "id",
            "name",
            "sex",
            "birth_year",
            "id_number_masked",
            "mobile_masked",
            "phone_masked",
            "ethnicity",
            "education",
            "political_status",
            "employer",
            "post",
            "skill_level",
            "hukou_type",
            "is_migrant_worker",
        ]
        read_only_fields = fields

    def get_id_number_masked(self, obj: Person) -> str:
        return mask_id_number(obj.id_number)

    def get_mobile_masked(self, obj: Person) -> str:
        return mask_phone(obj.mobile)

    def get_phone_masked(self, obj: Person) -> str:
        return mask_landline(obj.phone)

    def get_birth_year(self, obj: Person) -> int:
        return obj.birth_date.year


class MemberSerializer(serializers.ModelSerializer):
    """One membership (会籍) with its person; ``status`` 在册/已转出/已退会."""

    organisation = serializers.CharField(source="organisation.code", read_only=True, help_text="工会组织编码")
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    person = PersonSerializer(read_only=True)

    class Meta:
        model = Membership
        fields = [
            "id",
            "member_no",
            "status",
            "organisation",
            "organisation_name",
            "joined_on",
            "ended_on",
            "end_reason",
            "person",
        ]
        read_only_fields = fields


class PersonInputSerializer(serializers.Serializer):
    """Personal fields as typed; members.services normalises and validates them."""

    name = serializers.CharField(max_length=60)
    id_number = serializers.CharField(
        max_length=40, help_text="18位身份证号，末位可为X；修改时原样传回脱敏值（含*）则保留原值"
    )
    mobile = serializers.CharField(max_length=30, required=False, allow_blank=True)
    phone = serializers.CharField(
        max_length=40,
        required=False,
        allow_blank=True,
        help_text="联系电话：座机如 010-69441234（分机 010-69441234-123）或手机号；修改时原样传回脱敏值则保留原值",
    )
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    ethnicity = serializers.CharField(max_length=20, required=False, allow_blank=True)
    education = serializers.ChoiceField(choices=Person.Education.choices, required=False, allow_blank=True)
    political_status = serializers.ChoiceField(choices=Person.Political.choices, required=False, allow_blank=True)
    employer = serializers.CharField(max_length=120, required=False, allow_blank=True)
    post = serializers.CharField(max_length=60, required=False, allow_blank=True)
    skill_level = serializers.ChoiceField(choices=Person.SkillLevel.choices, required=False, allow_blank=True)
    hukou_type = serializers.ChoiceField(choices=Person.Hukou.choices, required=False, allow_blank=True)
    is_migrant_worker = serializers.BooleanField(required=False)


class MemberCreateSerializer(PersonInputSerializer):
    organisation = serializers.CharField(max_length=40, help_text="基层工会的组织编码")
    joined_on = serializers.DateField()
    member_no = serializers.CharField(max_length=32, required=False, allow_blank=True, help_text="留空则自动编号")


class TransferSerializer(serializers.Serializer):
    to_organisation = serializers.CharField(max_length=40, help_text="转入工会的组织编码")
    on = serializers.DateField(help_text="转会日期")
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True)
    member_no = serializers.CharField(max_length=32, required=False, allow_blank=True)


class LeaveSerializer(serializers.Serializer):
    on = serializers.DateField(help_text="退会日期")
    reason = serializers.CharField(max_length=200)
