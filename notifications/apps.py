from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accounts.events import user_sessions_revoked
        from accounts.registry import privacy
        from kaya import outbox
        from notifications.privacy import notifications_erase, notifications_export
        from notifications.receivers import sessions_revoked_close_sockets
        from notifications.services import EMAIL_KIND, notification_email_build

        privacy.register(
            "notifications",
            export=notifications_export,
            erase=notifications_erase,
            models=[
                "notifications.Notification",
                "notifications.ScheduledNotification",
            ],
        )
        privacy.exclude(
            "notifications.Announcement",
            "staff-written broadcasts; the author link is set null on erasure",
        )
        outbox.register(EMAIL_KIND, notification_email_build)
        user_sessions_revoked.connect(
            sessions_revoked_close_sockets,
            dispatch_uid="notifications.sessions_revoked_close_sockets",
        )
