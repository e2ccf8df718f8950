"""Fill the session rollups from the completed sessions already stored."""

from django.db import migrations

BATCH = 200


def forward(apps, schema_editor):
    from wellness.rollups import SESSION_DAYS, SESSION_TOTALS

    sessions = apps.get_model("wellness", "WellnessSession")
    user_ids = sorted(
        set(
            sessions._default_manager.filter(status="completed")
            .values_list("user_id", flat=True)
            .distinct()
        )
    )
    for start in range(0, len(user_ids), BATCH):
        chunk = user_ids[start : start + BATCH]
        SESSION_DAYS.rebuild(apps, chunk)
        SESSION_TOTALS.rebuild(apps, chunk)


class Migration(migrations.Migration):
    dependencies = [("wellness", "0007_session_rollups")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
