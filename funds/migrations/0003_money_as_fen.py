"""Money is stored as whole fen (bigint) so that sums are exact on SQLite and PostgreSQL alike.

Databases created before this change hold decimal yuan; this converts them in place (yuan × 100).
A database created since has bigint columns from 0001 already and is left unchanged.
"""

from django.db import migrations

from core.money import money_columns_to_fen


class Migration(migrations.Migration):
    dependencies = [("funds", "0002_segregation_of_duties_once_benefit")]

    operations = [migrations.RunPython(money_columns_to_fen("funds"), migrations.RunPython.noop)]
