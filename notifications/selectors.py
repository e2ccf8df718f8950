"""Reads of notifications, always scoped to one user."""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from notifications.models import Notification

if TYPE_CHECKING:
    from accounts.models import User

# No notification is older than this: a cursor naming an earlier instant was not
# made by the server (and one near datetime.min would overflow the catch-up
# overlap arithmetic).
_CURSOR_EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)


class InvalidCursorError(ValueError):
    pass


def notification_cursor(notification: Notification) -> str:
    """An opaque position in a user's notifications, for ``?after=``."""
    raw = f"{notification.created_at.isoformat()}|{notification.pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def notification_cursor_parse(cursor: str) -> tuple[datetime, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        raw = base64.urlsafe_b64decode(padded.encode()).decode()
        moment, _, pk = raw.partition("|")
        created_at = datetime.fromisoformat(moment)
        notification_id = int(pk)
        if timezone.is_naive(created_at):
            raise ValueError("naive")
        # An offset may push an instant near datetime.max out of range.
        created_at = created_at.astimezone(UTC)
    except (ValueError, OverflowError, binascii.Error, UnicodeDecodeError):
        raise InvalidCursorError("Not a notification cursor.") from None
    if created_at < _CURSOR_EARLIEST or notification_id < 1:
        raise InvalidCursorError("Not a notification cursor.")
    return created_at, notification_id


def notification_list(
    *, user: User, unread: bool = False, after: str | None = None
) -> QuerySet[Notification]:
    """The user's notifications, newest first.

    ``after`` (a cursor) keeps only those newer than that position, less
    NOTIFICATIONS_CATCHUP_OVERLAP_SECONDS: a notification's transaction may
    commit after a newer one was already seen, and catching up must not miss it.
    Raises InvalidCursorError for a malformed cursor.
    """
    notifications = Notification.objects.for_user(user)
    if unread:
        notifications = notifications.unread()
    if after is not None:
        created_at, notification_id = notification_cursor_parse(after)
        since = created_at - timedelta(
            seconds=settings.NOTIFICATIONS_CATCHUP_OVERLAP_SECONDS
        )
        notifications = notifications.filter(
            Q(created_at__gt=since) | Q(created_at=since, id__gt=notification_id)
        )
    return notifications.order_by("-created_at", "-id")


def notification_unread_count(*, user: User) -> int:
    return Notification.objects.for_user(user).unread().count()
