from django.apps import AppConfig


class CoachingConfig(AppConfig):
    name = "coaching"
    verbose_name = "Coaching"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accounts.registry import privacy
        from coaching.privacy import coaching_erase, coaching_export

        privacy.register(
            "coaching",
            export=coaching_export,
            erase=coaching_erase,
            models=[
                "coaching.TherapistBooking",
                "coaching.BookingTransition",
                "coaching.AIGenerationJob",
                "coaching.AIConversation",
                "coaching.AIMessage",
                "coaching.AIUsageDay",
            ],
        )
        privacy.exclude(
            "coaching.AICrisisReferralDay",
            "an aggregate count per day, with no user and no content",
        )
        privacy.exclude(
            "coaching.Therapist",
            "staff-curated directory entry; erasure clears its link to the account",
        )
        privacy.exclude(
            "coaching.AvailabilityWindow", "a therapist's working hours, no user data"
        )
        privacy.exclude(
            "coaching.AvailabilityException", "a therapist's time off, no user data"
        )
