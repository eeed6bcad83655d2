"""A timeline entry links the referral it is about, instead of a marker in its text.

The overdue escalation wrote ``[referral-1114] 办理（…）已超时…`` (or ``[appeal] …``) so that it could
find its own entry again; the marker showed on the request's page. The link is now a field: existing
entries get it from their marker, and the marker leaves the text.
"""

import re

import django.db.models.deletion
from django.db import migrations, models

MARKER = re.compile(r"^\[(?:referral-(?P<pk>\d+)|appeal)\] ")


def forwards(apps, schema_editor):
    TimelineEntry = apps.get_model("appeals", "TimelineEntry")
    Referral = apps.get_model("appeals", "Referral")
    marked = TimelineEntry.objects.filter(note__startswith="[").only("pk", "note", "appeal_id")
    for entry in marked.iterator(chunk_size=2000):
        m = MARKER.match(entry.note)
        if m is None:
            continue
        referral_id = int(m["pk"]) if m["pk"] else None
        if referral_id and not Referral.objects.filter(pk=referral_id, appeal_id=entry.appeal_id).exists():
            referral_id = None
        TimelineEntry.objects.filter(pk=entry.pk).update(note=entry.note[m.end() :], referral_id=referral_id)


class Migration(migrations.Migration):
    dependencies = [
        ("appeals", "0002_provisional_deadlines"),
    ]

    operations = [
        migrations.AddField(
            model_name="timelineentry",
            name="referral",
            field=models.ForeignKey(
                blank=True,
                help_text="记录所涉的转办（如某一转办的超时督办）",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="timeline",
                to="appeals.referral",
                verbose_name="相关转办",
            ),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
