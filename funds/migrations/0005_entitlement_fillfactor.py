"""Room on each page of ``funds_entitlement`` (PostgreSQL): approval sets every entitlement's
approved amount, a column no index covers, so with free space on the page PostgreSQL updates the row
in place (a HOT update) instead of writing a new row version into every index — the largest single
step of paying a 50,000-beneficiary cycle. The new version needs as much room as the old one on the
same page, so only half-full pages let every row of a cycle be updated in place (at 80 a quarter
were): the table is about twice its packed size, which its per-cycle index reads do not notice.
SQLite has no such setting; nothing to do there."""

from django.db import migrations


def _fillfactor(value: int):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"ALTER TABLE funds_entitlement SET (fillfactor = {value})")

    return apply


class Migration(migrations.Migration):
    dependencies = [("funds", "0004_payment_rule_names_the_programme")]

    operations = [migrations.RunPython(_fillfactor(50), _fillfactor(100))]
