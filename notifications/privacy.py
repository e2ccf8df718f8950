"""The notifications app's part of the privacy export and account erasure."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from notifications.models import Notification, ScheduledNotification
from notifications.serializers import NotificationOutput

if TYPE_CHECKING:
    from accounts.models import User


def notifications_export(user: User) -> dict[str, Any]:
    return {
        "notifications": [
            # The REST representation, less the list position (``cursor``).
            {k: v for k, v in NotificationOutput(n).data.items() if k != "cursor"}
            for n in Notification.objects.for_user(user).order_by("id")
        ],
        "scheduled": list(
            ScheduledNotification.objects.filter(user=user)
            .order_by("id")
            .values("type", "title", "body", "data", "send_at", "status", "sent_at")
        ),
    }


def notifications_erase(user: User) -> None:
    ScheduledNotification.objects.filter(user=user).delete()
    Notification.objects.for_user(user).delete()
