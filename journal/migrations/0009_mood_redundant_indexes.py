"""Drop the single-column indexes of mood entries' and mood tags' foreign keys:
each is the leading column of a composite index already there (a mood entry's
user: (user, local_date), (user, -logged_at, -id), (user, updated_at, id); a
tag's entry: the unique (entry, kind, value); a tag's user: (user, kind,
local_date)). Logging a mood updates three indexes fewer, and the planner no
longer reads all of a user's entries through the user-only index to keep a
date range's (EXPLAIN: 1,500 rows filtered to 60 for 30 days of history).

Only the indexes are dropped (the constraints stay as they are: Django's own
AlterField would drop and re-add, so re-validate, each foreign key)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# (table, column, index name Django gave the foreign key's index)
_INDEXES = (
    ("journal_moodentry", "user_id", "journal_moodentry_user_id_b59b6177"),
    ("journal_moodtag", "entry_id", "journal_moodtag_entry_id_ab2208ac"),
    ("journal_moodtag", "user_id", "journal_moodtag_user_id_5d6831d7"),
)


class Migration(migrations.Migration):
    dependencies = [
        ("journal", "0008_mood_day_backfill"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    sql=f'DROP INDEX IF EXISTS "{name}"',
                    reverse_sql=f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ("{column}")',
                )
                for table, column, name in _INDEXES
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="moodentry",
                    name="user",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="mood_entries",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="moodtag",
                    name="entry",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="tags",
                        to="journal.moodentry",
                    ),
                ),
                migrations.AlterField(
                    model_name="moodtag",
                    name="user",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="mood_tags",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
        )
    ]
