"""Fill the per-day mood rollup from the mood entries already stored."""

from django.db import migrations

BATCH = 200


def forward(apps, schema_editor):
    from journal.rollups import MOOD_DAYS

    entries = apps.get_model("journal", "MoodEntry")
    user_ids = sorted(
        set(entries._default_manager.values_list("user_id", flat=True).distinct())
    )
    for start in range(0, len(user_ids), BATCH):
        MOOD_DAYS.rebuild(apps, user_ids[start : start + BATCH])


class Migration(migrations.Migration):
    dependencies = [("journal", "0007_mood_day")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
