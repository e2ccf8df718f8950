"""The notifications app's part of the privacy export and account erasure."""

from __future__ import annotations

from typing import Any

from notifications.models import Notification
from notifications.services import notification_payload


def notifications_export(user: Any) -> list[dict[str, Any]]:
    return [
        notification_payload(n)
        for n in Notification.objects.for_user(user).order_by("id")
    ]


def notifications_erase(user: Any) -> None:
    Notification.objects.for_user(user).delete()
