"""Subtree queries compare paths as byte strings (``path >= p AND path < p || '~'``). On PostgreSQL
that needs the "C" collation on the column and its index, whatever the database's locale is."""

from django.db import migrations


def to_c_collation(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in ("orgs_organisation", "orgs_historicalorganisation"):
        schema_editor.execute(f'ALTER TABLE {table} ALTER COLUMN path TYPE varchar(255) COLLATE "C"')


class Migration(migrations.Migration):
    dependencies = [("orgs", "0001_initial")]
    operations = [migrations.RunPython(to_c_collation, migrations.RunPython.noop)]
