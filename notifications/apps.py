from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accounts.registry import privacy
        from notifications.privacy import notifications_erase, notifications_export

        privacy.register(
            "notifications",
            export=notifications_export,
            erase=notifications_erase,
            models=[
                "notifications.Notification",
                "notifications.ScheduledNotification",
            ],
        )
