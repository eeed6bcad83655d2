from __future__ import annotations

from rest_framework import serializers

from funds.models import (
    Account,
    BankBatch,
    BatchLine,
    Cycle,
    Donation,
    Entitlement,
    JournalEntry,
    JournalLine,
    PayeeAccount,
    Payment,
    Programme,
)


class AccountSerializer(serializers.ModelSerializer):
    organisation_code = serializers.CharField(source="organisation.code", read_only=True)

    class Meta:
        model = Account
        fields = ["code", "name", "type", "is_fund", "organisation_code", "active"]
        read_only_fields = fields


class LineSerializer(serializers.ModelSerializer):
    account = serializers.CharField(source="account.code", read_only=True)

    class Meta:
        model = JournalLine
        fields = ["account", "debit", "credit", "memo"]
        read_only_fields = fields


class EntrySerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)
    lines = LineSerializer(many=True, read_only=True)
    reversal_of = serializers.IntegerField(source="reversal_of_id", read_only=True)

    class Meta:
        model = JournalEntry
        fields = ["id", "number", "date", "description", "rule", "source", "amount", "reversal_of", "lines"]
        read_only_fields = fields


class ProgrammeSerializer(serializers.ModelSerializer):
    fund = serializers.CharField(source="fund.code", read_only=True)

    class Meta:
        model = Programme
        fields = [
            "code",
            "name",
            "plugin_key",
            "beneficiary_type",
            "period_type",
            "fund",
            "approval_chain",
            "prorate",
            "active",
        ]
        read_only_fields = fields


class CycleSerializer(serializers.ModelSerializer):
    programme = serializers.CharField(source="programme.code", read_only=True)

    class Meta:
        model = Cycle
        fields = [
            "id",
            "programme",
            "period_key",
            "period_start",
            "period_end",
            "state",
            "total",
            "beneficiaries",
            "progress_done",
            "progress_total",
            "computed_at",
            "paid_at",
        ]
        read_only_fields = fields


class EntitlementSerializer(serializers.ModelSerializer):
    beneficiary_org = serializers.CharField(source="beneficiary_org.code", read_only=True, default=None)

    class Meta:
        model = Entitlement
        fields = [
            "id",
            "cycle",
            "beneficiary_key",
            "beneficiary_org",
            "beneficiary_name",
            "amount",
            "explanation",
            "inputs",
            "adjusted_amount",
            "adjust_reason",
            "approved_amount",
        ]
        read_only_fields = fields


class PaymentSerializer(serializers.ModelSerializer):
    programme = serializers.CharField(source="programme.code", read_only=True)
    beneficiary_org = serializers.CharField(source="beneficiary_org.code", read_only=True, default=None)
    entry = serializers.CharField(source="entry.number", read_only=True)

    class Meta:
        model = Payment
        fields = [
            "id",
            "programme",
            "period_key",
            "beneficiary_org",
            "beneficiary_name",
            "amount",
            "entry",
            "paid_at",
            "status",
            "status_at",
            "return_reason",
            "reissue_of",
        ]
        read_only_fields = fields


class PayeeAccountSerializer(serializers.ModelSerializer):
    """A payee's bank account: the number masked, as in every list (the bank file alone carries it whole)."""

    organisation = serializers.CharField(source="organisation.code", read_only=True, default=None)
    owner = serializers.CharField(source="owner_name", read_only=True)
    number = serializers.CharField(source="masked_number", read_only=True)

    class Meta:
        model = PayeeAccount
        fields = [
            "id",
            "owner_key",
            "organisation",
            "owner",
            "holder_name",
            "number",
            "bank_name",
            "bank_code",
            "valid_from",
            "valid_to",
            "status",
            "source",
        ]
        read_only_fields = fields


class BatchLineSerializer(serializers.ModelSerializer):
    beneficiary_name = serializers.CharField(source="payment.beneficiary_name", read_only=True)
    number = serializers.CharField(source="account.masked_number", read_only=True)

    class Meta:
        model = BatchLine
        fields = [
            "seq",
            "reference",
            "payment",
            "beneficiary_name",
            "number",
            "amount",
            "result",
            "reason",
            "answered_at",
        ]
        read_only_fields = fields


class BankBatchSerializer(serializers.ModelSerializer):
    bank_account = serializers.CharField(source="bank_account.code", read_only=True)

    class Meta:
        model = BankBatch
        fields = ["id", "number", "bank_account", "state", "count", "total", "checksum", "created_at", "sent_at"]
        read_only_fields = fields


class DonationSerializer(serializers.ModelSerializer):
    donor = serializers.CharField(source="shown_donor", read_only=True)
    fund = serializers.CharField(source="fund.code", read_only=True)

    class Meta:
        model = Donation
        fields = ["id", "receipt_no", "donor", "donor_kind", "anonymous", "amount", "received_on", "fund"]
        read_only_fields = fields
