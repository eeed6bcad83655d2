"""Hardship files in the API: ID and account numbers always masked (the whole value is a page
action, audited); the application goes through ``assistance.services.files.file_apply``."""

from __future__ import annotations

from rest_framework import serializers

from assistance.models import Cause, FileStep, HardshipFile, HouseholdMember, Verification
from assistance.selectors.files import mask_account
from assistance.services.files import FILE_FIELDS
from core.crypto import mask_id_number


class HouseholdSerializer(serializers.ModelSerializer):
    id_number_masked = serializers.SerializerMethodField(help_text="脱敏身份证号，如 110113********123X")

    class Meta:
        model = HouseholdMember
        fields = [
            "id",
            "relation",
            "name",
            "id_number_masked",
            "birth_date",
            "health",
            "occupation",
            "workplace_or_school",
            "monthly_income",
            "medical_insurance",
        ]

    def get_id_number_masked(self, obj: HouseholdMember) -> str:
        return mask_id_number(obj.id_number)


class StepSerializer(serializers.ModelSerializer):
    actor = serializers.StringRelatedField()
    acting_organisation = serializers.CharField(source="acting_organisation.name", default="")

    class Meta:
        model = FileStep
        fields = ["kind", "from_state", "to_state", "actor", "acting_organisation", "opinion", "at"]


class VerificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Verification
        fields = ["kind", "done_on", "valid_until"]


class FileSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.name")
    organisation = serializers.CharField(source="organisation.code", help_text="所属工会编码")
    organisation_name = serializers.CharField(source="organisation.name")
    bank_account_masked = serializers.SerializerMethodField(help_text="脱敏银行账号，仅显示后四位")

    class Meta:
        model = HardshipFile
        shown = [f for f in FILE_FIELDS if f not in ("bank_account", "situation")]
        fields = ["id", "file_no", "person", "person_name", "organisation", "organisation_name", "state", *shown]
        fields += ["household_size", "income_per_head", "bank_account_masked", "applied_on", "applied_in_portal"]
        fields += ["approved_on", "exited_on", "exit_reason"]

    def get_bank_account_masked(self, obj: HardshipFile) -> str:
        return mask_account(obj.bank_account)


class PaymentLineSerializer(serializers.Serializer):
    programme = serializers.CharField(source="programme.name")
    period_key = serializers.CharField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    paid_at = serializers.DateTimeField()


class FileDetailSerializer(FileSerializer):
    household = HouseholdSerializer(many=True, read_only=True)
    steps = StepSerializer(many=True, read_only=True)
    verifications = VerificationSerializer(many=True, read_only=True)
    payments = serializers.SerializerMethodField(help_text="经资金项目发放给此人的每一笔款项")

    class Meta(FileSerializer.Meta):
        fields = [*FileSerializer.Meta.fields, "situation", "household", "steps", "verifications", "payments"]

    def get_payments(self, obj: HardshipFile) -> list[dict]:
        from assistance.selectors.files import payments_of

        return PaymentLineSerializer(payments_of(obj)[:200], many=True).data


class FileApplySerializer(serializers.Serializer):
    """申请建档: ``person`` (人员 id) for an officer applying for a member; omitted, the caller's own."""

    person = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    category = serializers.ChoiceField(choices=HardshipFile.Category.choices)
    main_cause = serializers.ChoiceField(choices=Cause.choices)
    secondary_causes = serializers.ListField(child=serializers.ChoiceField(choices=Cause.choices), required=False)
    health = serializers.ChoiceField(choices=HardshipFile.Health.choices, default=HardshipFile.Health.HEALTHY)
    housing = serializers.ChoiceField(choices=HardshipFile.Housing.choices)
    single_parent = serializers.BooleanField(default=False)
    zero_employment = serializers.BooleanField(default=False)
    monthly_rigid_expenses = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, default=0)
    situation = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    own_income = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, default=0)
    own_occupation = serializers.ChoiceField(
        choices=HouseholdMember.Occupation.choices, default=HouseholdMember.Occupation.EMPLOYED
    )
    own_insurance = serializers.ChoiceField(
        choices=HouseholdMember.Insurance.choices, default=HouseholdMember.Insurance.EMPLOYEE
    )


class FileStepActionSerializer(serializers.Serializer):
    """核实、审核、审批、不予通过、年度复核: the opinion (the reason, for a rejection) and, for approval
    and re-verification, the date (default today)."""

    opinion = serializers.CharField(max_length=2000, help_text="意见（不予通过时为理由，职工可见）")
    on = serializers.DateField(required=False, help_text="审批或复核日期，默认今天")


class FileExitActionSerializer(serializers.Serializer):
    """解困脱困: the reason (其他 needs a note) and the date."""

    reason = serializers.ChoiceField(choices=HardshipFile.ExitReason.choices)
    on = serializers.DateField(help_text="脱困日期")
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
