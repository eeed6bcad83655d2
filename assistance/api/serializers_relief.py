"""Relief and scholarship applications and their payments as the API shows them: the person's ID
number masked, no illness (a medical fact, shown only on the audited application page)."""

from __future__ import annotations

from rest_framework import serializers

from assistance.models import ReliefApplication, ScholarshipApplication
from core.crypto import mask_id_number
from funds.models import Payment


class AssistancePaymentSerializer(serializers.ModelSerializer):
    programme = serializers.CharField(source="programme.name")
    entry = serializers.CharField(source="entry.number")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        model = Payment
        fields = ["id", "programme", "period_key", "beneficiary_name", "amount", "entry", "paid_at"]


class ReliefApplicationSerializer(serializers.ModelSerializer):
    person = serializers.CharField(source="person.name")
    person_id_number = serializers.SerializerMethodField(help_text="身份证号（脱敏）")
    organisation = serializers.CharField(source="organisation.code")
    state_label = serializers.CharField(source="get_state_display")
    payment_status = serializers.CharField(
        help_text="待资金 / 待财务审批支付 / 已审批待银行支付 / 已发送银行 / 已支付（银行已确认） / 银行退回（原因），待重新支付"
    )
    total_cost = serializers.DecimalField(max_digits=14, decimal_places=2)
    basic_insurance = serializers.DecimalField(max_digits=14, decimal_places=2)
    serious_illness_insurance = serializers.DecimalField(max_digits=14, decimal_places=2)
    supplementary_insurance = serializers.DecimalField(max_digits=14, decimal_places=2)
    out_of_pocket = serializers.DecimalField(max_digits=14, decimal_places=2)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)

    class Meta:
        model = ReliefApplication
        fields = [
            "id",
            "number",
            "person",
            "person_id_number",
            "organisation",
            "state",
            "state_label",
            "payment_status",
            "hospital",
            "treatment_start",
            "treatment_end",
            "total_cost",
            "basic_insurance",
            "serious_illness_insurance",
            "supplementary_insurance",
            "out_of_pocket",
            "amount",
            "amount_explanation",
            "applied_on",
            "approved_at",
        ]

    def get_person_id_number(self, obj: ReliefApplication) -> str:
        return mask_id_number(obj.person.id_number or "")


class ScholarshipApplicationSerializer(serializers.ModelSerializer):
    person = serializers.CharField(source="person.name")
    organisation = serializers.CharField(source="organisation.code")
    state_label = serializers.CharField(source="get_state_display")
    level_label = serializers.CharField(source="get_level_display")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)

    class Meta:
        model = ScholarshipApplication
        fields = [
            "id",
            "number",
            "year",
            "person",
            "organisation",
            "child_name",
            "level",
            "level_label",
            "school",
            "grade",
            "state",
            "state_label",
            "amount",
            "applied_on",
            "approved_at",
        ]
