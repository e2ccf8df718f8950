from django.apps import AppConfig


class JournalConfig(AppConfig):
    name = "journal"
    verbose_name = "Journal"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accounts.registry import privacy, stats
        from journal.privacy import journal_erase, journal_export, journal_stats

        privacy.register(
            "journal",
            export=journal_export,
            erase=journal_erase,
            models=[
                "journal.JournalEntry",
                "journal.JournalTag",
                "journal.GratitudeEntry",
                "journal.MoodEntry",
                "journal.MoodTag",
                "journal.MoodDay",
            ],
        )
        privacy.exclude("journal.Prompt", "staff-curated prompts, no user data")
        privacy.exclude(
            "journal.CrisisResource", "staff-curated crisis lines, no user data"
        )
        privacy.exclude(
            "journal.CrisisPhrase", "staff-curated crisis check phrases, no user data"
        )
        stats.register("journal", journal_stats)
        from journal.rollups import MOOD_DAYS
        from kaya import rollups

        rollups.register(MOOD_DAYS)
