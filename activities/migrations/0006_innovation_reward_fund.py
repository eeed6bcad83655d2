"""The fund the innovation rewards are paid from, 3107 职工创新奖励资金, on a database whose chart was
created before this app declared it (``ActivitiesConfig.fund_accounts``; a new database gets it from
``funds.services.standard_accounts_ensure``). Only where the district and its chart already exist."""

from django.db import migrations


def add_fund(apps, schema_editor):
    Account = apps.get_model("funds", "Account")
    Organisation = apps.get_model("orgs", "Organisation")
    district = Organisation.objects.filter(depth=1).order_by("pk").first()
    if district is None or not Account.objects.filter(code="1002").exists():
        return
    Account.objects.get_or_create(
        code="3107", defaults={"name": "职工创新奖励资金", "type": "fund", "is_fund": True, "organisation": district}
    )


class Migration(migrations.Migration):
    dependencies = [("activities", "0005_innovation_items_and_event_photos")]

    operations = [migrations.RunPython(add_fund, migrations.RunPython.noop)]
