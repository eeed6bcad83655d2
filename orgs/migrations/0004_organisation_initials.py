"""Organisations carry the pinyin initials of their name (南彩镇总工会 → ncgzgh) so that a picker finds
them by the letters a person types. Saving an organisation computes them; this migration fills the
rows already stored."""

from django.db import migrations, models

from orgs.models import name_initials


def fill_initials(apps, schema_editor):
    Organisation = apps.get_model("orgs", "Organisation")
    rows = list(Organisation.objects.only("pk", "name"))
    for org in rows:
        org.initials = name_initials(org.name)
    Organisation.objects.bulk_update(rows, ["initials"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0003_credit_code_normalised"),
    ]

    operations = [
        migrations.AddField(
            model_name="organisation",
            name="initials",
            field=models.CharField(
                blank=True, editable=False, help_text="由名称自动生成，用于检索", max_length=60, verbose_name="拼音首字母"
            ),
        ),
        migrations.RunPython(fill_initials, migrations.RunPython.noop),
    ]
