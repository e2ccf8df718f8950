"""Notification workflows. Every app tells a user something through here."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from notifications import realtime
from notifications.models import Notification


def notification_payload(notification: Notification) -> dict[str, Any]:
    return {
        "id": notification.pk,
        "type": notification.type,
        "title": notification.title,
        "body": notification.body,
        "data": notification.data,
        "created_at": notification.created_at.isoformat(),
        "read_at": notification.read_at.isoformat() if notification.read_at else None,
    }


@transaction.atomic
def notification_create(
    *,
    user: Any,
    type: str,
    title: str,
    body: str = "",
    data: dict[str, Any] | None = None,
) -> Notification:
    """Store a notification and push it live to the user's sockets on commit.

    Side effects (after commit): a ``notification.created`` websocket event.
    """
    notification = Notification.objects.create(
        user=user, type=type, title=title, body=body, data=data or {}
    )
    payload = notification_payload(notification)
    transaction.on_commit(
        lambda: realtime.push_to_user(
            notification.user_id, realtime.NOTIFICATION_CREATED, payload
        )
    )
    return notification
