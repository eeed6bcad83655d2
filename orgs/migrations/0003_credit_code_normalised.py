"""Credit codes are stored in their one normal form (half-width, upper case, no spaces): the field
normalises every write from now on, and this migration normalises the codes already stored.

A code typed with full-width characters used to be stored as typed, so the same enterprise could be
two active unions. If normalising would make two active unions share a code, the migration stops
and names them: one of them must be closed or corrected first (nothing is merged silently)."""

from django.db import migrations, models

import core.fields
import core.validators
from core.validators import normalize_credit_code


def normalise_codes(apps, schema_editor):
    Organisation = apps.get_model("orgs", "Organisation")
    changed = []
    active: dict[str, list[tuple[str, str]]] = {}
    for pk, code, name, org_code, status in Organisation.objects.exclude(credit_code="").values_list(
        "pk", "credit_code", "name", "code", "status"
    ):
        norm = normalize_credit_code(code)
        if norm != code:
            changed.append((pk, norm))
        if status == "active" and norm:
            active.setdefault(norm, []).append((org_code, name))
    clashes = {norm: orgs for norm, orgs in active.items() if len(orgs) > 1}
    if clashes:
        lines = "；".join(f"{norm}：" + "、".join(f"{n}（{c}）" for c, n in orgs) for norm, orgs in clashes.items())
        raise RuntimeError(
            f"以下正常状态的工会的统一社会信用代码规范化后相同，请先撤销或更正其中之一再迁移：{lines}"
        )
    for pk, norm in changed:
        Organisation.objects.filter(pk=pk).update(credit_code=norm)


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0002_path_collation"),
    ]

    operations = [
        migrations.RunPython(normalise_codes, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="historicalorganisation",
            name="credit_code",
            field=core.fields.CreditCodeField(
                blank=True,
                db_index=True,
                max_length=18,
                validators=[core.validators.validate_credit_code],
                verbose_name="统一社会信用代码",
            ),
        ),
        migrations.AlterField(
            model_name="organisation",
            name="credit_code",
            field=core.fields.CreditCodeField(
                blank=True,
                db_index=True,
                max_length=18,
                validators=[core.validators.validate_credit_code],
                verbose_name="统一社会信用代码",
            ),
        ),
        migrations.AlterConstraint(
            model_name="organisation",
            name="orgs_unique_active_credit_code",
            constraint=models.UniqueConstraint(
                condition=models.Q(models.Q(("credit_code", ""), _negated=True), ("status", "active")),
                fields=("credit_code",),
                name="orgs_unique_active_credit_code",
                violation_error_code="unique",
                violation_error_message="该统一社会信用代码已登记在另一个正常状态的工会：同一单位只能有一个正常状态的工会，请核对代码",
            ),
        ),
    ]
