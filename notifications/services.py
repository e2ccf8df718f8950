"""Notification workflows. Every app tells a user something through here."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from notifications import realtime
from notifications.models import Notification, ScheduledNotification


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


@transaction.atomic
def notification_schedule(
    *,
    user: Any,
    type: str,
    title: str,
    send_at: datetime,
    dedupe_key: str,
    body: str = "",
    data: dict[str, Any] | None = None,
) -> ScheduledNotification:
    """Schedule a notification for ``send_at`` (aware). Idempotent per dedupe_key:
    scheduling the same key again moves a still-pending row to the new time and
    content, and leaves a sent or cancelled one alone.

    Side effects: none until the dispatcher runs (``dispatch_due_notifications``).
    """
    if timezone.is_naive(send_at):
        raise ValueError("send_at must be timezone-aware")
    scheduled, created = ScheduledNotification.objects.get_or_create(
        user=user,
        dedupe_key=dedupe_key,
        defaults={
            "type": type,
            "title": title,
            "body": body,
            "data": data or {},
            "send_at": send_at,
        },
    )
    if not created and scheduled.status == ScheduledNotification.Status.PENDING:
        scheduled.type, scheduled.title, scheduled.body = type, title, body
        scheduled.data, scheduled.send_at = data or {}, send_at
        scheduled.save(update_fields=["type", "title", "body", "data", "send_at"])
    return scheduled


def notification_schedule_cancel(*, user: Any, dedupe_key: str) -> bool:
    """Cancel a pending scheduled notification; True if one was cancelled."""
    updated = ScheduledNotification.objects.filter(
        user=user, dedupe_key=dedupe_key, status=ScheduledNotification.Status.PENDING
    ).update(status=ScheduledNotification.Status.CANCELLED)
    return updated > 0


def scheduled_notifications_dispatch(
    *, now: datetime | None = None, batch_size: int = 200
) -> int:
    """Turn due scheduled rows into notifications, each exactly once.

    Each row is claimed in its own transaction with a row lock (skip_locked on
    PostgreSQL), so overlapping dispatcher runs or redelivered tasks never send a
    row twice. Returns how many were sent.
    """
    now = now or timezone.now()
    sent = 0
    due_ids = list(
        ScheduledNotification.objects.filter(
            status=ScheduledNotification.Status.PENDING, send_at__lte=now
        )
        .order_by("send_at", "id")
        .values_list("id", flat=True)[:batch_size]
    )
    for scheduled_id in due_ids:
        with transaction.atomic():
            # Two dispatchers may race for the same row: lock it and re-check.
            locked = ScheduledNotification.objects.select_for_update(
                skip_locked=connection.features.has_select_for_update_skip_locked
            ).filter(pk=scheduled_id, status=ScheduledNotification.Status.PENDING)
            scheduled = locked.select_related("user").first()
            if scheduled is None:
                continue
            notification = notification_create(
                user=scheduled.user,
                type=scheduled.type,
                title=scheduled.title,
                body=scheduled.body,
                data=scheduled.data,
            )
            scheduled.status = ScheduledNotification.Status.SENT
            scheduled.sent_at = timezone.now()
            scheduled.notification = notification
            scheduled.save(update_fields=["status", "sent_at", "notification"])
            sent += 1
    return sent
