from django.apps import AppConfig


class WellnessConfig(AppConfig):
    name = "wellness"
    verbose_name = "Wellness"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accounts.registry import privacy, stats
        from wellness.privacy import wellness_erase, wellness_export
        from wellness.selectors import wellness_user_stats
        from wellness.services import wellness_subscribe

        privacy.register(
            "wellness",
            export=wellness_export,
            erase=wellness_erase,
            models=[
                "wellness.WellnessSession",
                "wellness.Streak",
                "wellness.ProgramEnrollment",
                "wellness.ProgramDayProgress",
                "wellness.UserAchievement",
                "wellness.ChallengeParticipant",
                "wellness.EventRegistration",
                "wellness.SessionDay",
                "wellness.SessionTotal",
                "wellness.SessionTally",
            ],
        )
        privacy.exclude(
            "wellness.WellnessProgram", "staff-curated program content, no user data"
        )
        privacy.exclude(
            "wellness.ProgramDay", "staff-curated program content, no user data"
        )
        privacy.exclude(
            "wellness.Achievement", "staff-curated achievement rules, no user data"
        )
        privacy.exclude(
            "wellness.Challenge", "staff-curated challenge content, no user data"
        )
        privacy.exclude(
            "wellness.WellnessEvent", "staff-curated event content, no user data"
        )
        stats.register("wellness", wellness_user_stats)
        from kaya import rollups
        from wellness.rollups import SESSION_DAYS, SESSION_TALLIES, SESSION_TOTALS

        rollups.register(SESSION_DAYS, SESSION_TOTALS, SESSION_TALLIES)
        from coaching.ai import sources as ai_sources
        from wellness.selectors.sessions import session_ai_data_points

        ai_sources.register("wellness", session_ai_data_points)
        wellness_subscribe()
