from __future__ import annotations

from rest_framework import serializers

from orgs.models import Organisation


class OrganisationSerializer(serializers.ModelSerializer):
    parent_code = serializers.SerializerMethodField()
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Organisation
        fields = [
            "code",
            "name",
            "kind",
            "kind_display",
            "status",
            "parent_code",
            "depth",
            "founded_on",
            "closed_on",
            "employer_name",
            "credit_code",
            "economic_type",
            "chair_name",
            "chair_full_time",
            "vice_chairs",
            "address",
            "contact_phone",
        ]
        read_only_fields = fields

    def get_parent_code(self, obj: Organisation) -> str | None:
        parents = self.context.get("parent_codes")
        if parents is not None:
            return parents.get(obj.parent_path)
        return None
