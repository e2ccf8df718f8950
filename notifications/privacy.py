"""The notifications app's part of the privacy export and account erasure."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kaya.models import OutboxEmail
from notifications.models import Notification, ScheduledNotification
from notifications.serializers import NotificationOutput
from notifications.services import EMAIL_KIND

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
    notifications = Notification.objects.for_user(user)
    # Their emails (no personal data in the row, but nothing left to send).
    OutboxEmail.objects.filter(
        kind=EMAIL_KIND, object_id__in=notifications.values("pk")
    ).delete()
    notifications.delete()
