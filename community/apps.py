from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "community"
    verbose_name = "Community"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accounts.registry import privacy
        from community.privacy import community_erase, community_export

        privacy.register(
            "community",
            export=community_export,
            erase=community_erase,
            models=[
                "community.Post",
                "community.PostLike",
                "community.Comment",
                "community.Report",
                "community.SupportGroupMember",
                "community.CommunityBan",
            ],
        )
        privacy.exclude("community.SupportGroup", "staff-created groups, no user data")
        privacy.exclude("community.BlockedTerm", "staff-curated terms, no user data")
