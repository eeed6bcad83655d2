"""Seed the working-day calendar from the chinesecalendar package (statutory holidays and 调休)."""

from django.db import migrations


def seed(apps, schema_editor):
    from core.workdays import seed_calendar_from_package

    seed_calendar_from_package(model=apps.get_model("core", "CalendarDay"))


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
