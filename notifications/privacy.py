"""The notifications app's part of the privacy export and account erasure."""

from __future__ import annotations

from typing import Any

from notifications.models import Notification, ScheduledNotification
from notifications.services import notification_payload


def notifications_export(user: Any) -> dict[str, Any]:
    return {
        "notifications": [
            notification_payload(n)
            for n in Notification.objects.for_user(user).order_by("id")
        ],
        "scheduled": list(
            ScheduledNotification.objects.filter(user=user)
            .order_by("id")
            .values("type", "title", "body", "data", "send_at", "status", "sent_at")
        ),
    }


def notifications_erase(user: Any) -> None:
    ScheduledNotification.objects.filter(user=user).delete()
    Notification.objects.for_user(user).delete()
