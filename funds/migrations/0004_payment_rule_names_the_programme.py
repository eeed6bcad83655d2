"""A payment entry's 依据 named the programme's rule key (``JHQD startup_grant 参数版本 2024-01-01 周期
2026``); it now names the programme (``新建工会启动经费（JHQD）2024-01-01 起参数，2026 期``). This
rewrites that descriptive text on the entries already posted; no amount, account, date or link changes.
"""

import re

from django.db import migrations

OLD = re.compile(r"^(?P<code>\S+) (?P<key>\S+) 参数版本 (?P<version>\d{4}-\d{2}-\d{2}) 周期 (?P<period>\S+)$")


def forwards(apps, schema_editor):
    Programme = apps.get_model("funds", "Programme")
    JournalEntry = apps.get_model("funds", "JournalEntry")  # the historical manager: a plain one
    names = dict(Programme.objects.values_list("code", "name"))
    for code, name in names.items():
        # One text per cycle: one UPDATE per distinct old text, whatever the number of entries.
        old_rules = JournalEntry.objects.filter(rule__startswith=f"{code} ").values_list("rule", flat=True).distinct()
        for rule in list(old_rules):
            m = OLD.match(rule)
            if m and m["code"] == code:
                text = f"{name}（{code}）{m['version']} 起参数，{m['period']} 期"
                JournalEntry.objects.filter(rule=rule).update(rule=text[:200])


class Migration(migrations.Migration):
    dependencies = [("funds", "0003_money_as_fen")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
