"""Notification workflows. Every app tells a user something through here."""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from functools import partial
from typing import Any, cast

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, connection, transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import User
from kaya import outbox
from kaya.models import OutboxEmail
from kaya.timeutils import at_local_time, zone
from notifications import realtime
from notifications.exceptions import EmailPreferencesLinkInvalidError
from notifications.models import Announcement, Notification, ScheduledNotification
from notifications.serializers import NotificationOutput
from notifications.timing import practice_reminder_key, quiet_hours_end

logger = logging.getLogger(__name__)

EMAIL_PREFERENCES_SALT = "notifications.email-preferences"

# The notification emails' kind in the outbox (kaya.outbox).
EMAIL_KIND = "notifications.notification"

# Types that also go out by email (when the user allows email). Community
# chatter stays in the app.
EMAIL_TYPES = frozenset(
    {
        Notification.Type.ACHIEVEMENT_UNLOCKED,
        Notification.Type.SESSION_REMINDER,
        Notification.Type.PROGRAM_DAY_READY,
        Notification.Type.EVENT_REMINDER,
        Notification.Type.EVENT_UPDATE,
        Notification.Type.CHALLENGE_COMPLETED,
        Notification.Type.BOOKING_UPDATE,
        Notification.Type.MODERATION,
        Notification.Type.SYSTEM,
        Notification.Type.ANNOUNCEMENT,
    }
)


def notification_event_data(notification: Notification) -> dict[str, Any]:
    """The ``notification.created`` event's data: the REST representation
    itself (``NotificationOutput``), so an event and its REST resource can
    never differ."""
    return dict(NotificationOutput(notification).data)


def _wants_email(*, user: User, type: str, email: bool | None) -> bool:
    wanted = type in EMAIL_TYPES if email is None else email
    # Never mail an address the user has not proven is theirs.
    return bool(
        wanted
        and user.notify_email
        and user.is_active
        and user.email_verified_at is not None
    )


@transaction.atomic
def notification_create(
    *,
    user: User,
    type: str,
    title: str,
    body: str = "",
    data: dict[str, Any] | None = None,
    email: bool | None = None,
) -> Notification:
    """Store a notification; deliver it live and by email after commit.

    ``title`` and ``body`` are shown in the app; emails carry only the title,
    so a title must never quote private text (journal, mood, chat). ``email``
    overrides the per-type default (``EMAIL_TYPES``); the user's preferences
    always apply.

    Side effects: an outbox email (``kaya.outbox``, in this transaction) when
    the type and preferences call for one, held back until quiet hours end;
    after commit, a ``notification.created`` websocket event unless the user
    turned push off or is in quiet hours (in their time zone). The stored row
    is never held back.
    """
    now = timezone.now()
    quiet_until = quiet_hours_end(user=user, at=now)
    wants_email = _wants_email(user=user, type=type, email=email)
    notification = Notification.objects.create(
        user=user, type=type, title=title, body=body, data=data or {}
    )
    if user.notify_push and quiet_until is None:
        payload = notification_event_data(notification)
        transaction.on_commit(
            lambda: realtime.push_to_user(
                notification.user_id, realtime.NOTIFICATION_CREATED, payload
            )
        )
    if wants_email:
        outbox.email_enqueue(
            kind=EMAIL_KIND,
            object_id=notification.pk,
            key=f"{EMAIL_KIND}:{notification.pk}",
            send_after=quiet_until or now,
        )
    return notification


@transaction.atomic
def notification_mark_read(*, notification: Notification) -> Notification:
    """Mark one notification read. Idempotent: the first read time is kept."""
    if notification.read_at is None:
        now = timezone.now()
        # A concurrent read-all may have set it already: only fill it if empty.
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=now
        )
        notification.refresh_from_db(fields=["read_at"])
    return notification


@transaction.atomic
def notification_mark_all_read(*, user: User, up_to: datetime | None = None) -> int:
    """Mark the user's unread notifications read; returns how many changed.

    ``up_to`` limits it to notifications created at or before that instant, so
    one that arrived after the client rendered its list stays unread.
    """
    unread = Notification.objects.for_user(user).unread()
    if up_to is not None:
        unread = unread.filter(created_at__lte=up_to)
    return unread.update(read_at=timezone.now())


def notification_test_send(*, user: User) -> Notification:
    """A test notification the user asks for, to check live delivery works.

    Side effects: as ``notification_create``, never by email. Not wrapped in a
    transaction of its own: ``notification_create`` is the whole transaction,
    and an outer one only added a savepoint and its release (two database
    round trips) before the push.
    """
    return notification_create(
        user=user,
        type=Notification.Type.SYSTEM,
        title="Test notification",
        body="Notifications are working.",
        data={"test": True},
        email=False,
    )


def email_preferences_token(*, user: User) -> str:
    """A signed token for the email-preferences link; works without login."""
    return signing.dumps({"u": user.pk, "e": user.email}, salt=EMAIL_PREFERENCES_SALT)


def email_preferences_link_user(*, token: str) -> User:
    """The user a signed email-preferences link was made for.

    The link names the address it was sent to, so it stops working once the
    account's email changes. Raises ``EmailPreferencesLinkInvalidError`` otherwise.
    """
    try:
        claim = signing.loads(
            token,
            salt=EMAIL_PREFERENCES_SALT,
            max_age=timedelta(days=settings.NOTIFICATIONS_PREFERENCES_LINK_DAYS),
        )
    except signing.BadSignature:
        raise EmailPreferencesLinkInvalidError() from None
    user = User.objects.filter(
        pk=claim.get("u"), email=claim.get("e"), is_active=True
    ).first()
    if user is None:
        raise EmailPreferencesLinkInvalidError()
    return user


@transaction.atomic
def email_preferences_update(*, user: User, notify_email: bool | None = None) -> User:
    """Turn notification emails on or off (from the no-login email link); a
    preference not given (None) is left as it is."""
    if notify_email is not None:
        user.notify_email = notify_email
        user.save(update_fields=["notify_email", "updated_at"])
    return user


def notification_email_build(notification_id: int) -> outbox.OutboxMessage | None:
    """The email copy of a notification, built when the outbox sends it (see
    ``kaya.outbox``); None (skipped) if the notification is gone or the user no
    longer wants email: quiet hours may have held it back for hours."""
    notification = (
        Notification.objects.select_related("user").filter(pk=notification_id).first()
    )
    if notification is None:
        return None
    user = notification.user
    if not _wants_email(user=user, type=notification.type, email=True):
        return None
    token = email_preferences_token(user=user)
    return outbox.OutboxMessage(
        to=user.email,
        template="notification",
        locale=user.locale,
        context={
            "title": notification.title,
            "type_label": notification.get_type_display(),
            "open_url": f"{settings.FRONTEND_URL}/notifications",
            "preferences_url": (
                f"{settings.FRONTEND_URL}/settings/notifications?token={token}"
            ),
        },
        headers={
            "List-Unsubscribe": (
                f"<{settings.PUBLIC_API_URL}/api/v1/notifications/"
                f"email-preferences/unsubscribe?token={token}>"
            ),
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


def notification_email_status(*, notification: Notification) -> str:
    """Where the notification's email copy is (``none`` if it has none)."""
    status = (
        OutboxEmail.objects.filter(kind=EMAIL_KIND, object_id=notification.pk)
        .values_list("status", flat=True)
        .first()
    )
    return status or "none"


@transaction.atomic
def notification_schedule(
    *,
    user: User,
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


@transaction.atomic
def notification_schedule_cancel(*, user: User, dedupe_key: str) -> bool:
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


def practice_reminders_send(*, now: datetime | None = None) -> int:
    """Send the daily practice reminder to every user whose local reminder time
    has come, at most once per user and local day. Returns how many were sent.

    Exactly once: each reminder is recorded as a sent ScheduledNotification with
    the key ``practice_reminder:<local date>`` in the same transaction as the
    notification, and the unique (user, key) constraint refuses a second one
    however often beat runs and whether or not a task is redelivered.
    A reminder more than PRACTICE_REMINDER_GRACE_MINUTES late is skipped.
    """
    now = now or timezone.now()
    grace = timedelta(minutes=settings.PRACTICE_REMINDER_GRACE_MINUTES)
    users = User.objects.filter(reminder_time__isnull=False, is_active=True)
    sent = 0
    zones = users.order_by().values_list("timezone", flat=True).distinct()
    for tz_name in list(zones):
        local = now.astimezone(zone(tz_name))
        key = practice_reminder_key(local.date())
        candidates = (
            users.filter(timezone=tz_name, reminder_time__lte=local.time())
            .exclude(scheduled_notifications__dedupe_key=key)
            .order_by("pk")
        )
        for user in candidates.iterator():
            # Not null: the queryset filters on reminder_time__isnull=False.
            reminder_time = cast(time, user.reminder_time)
            due_at = at_local_time(local.date(), reminder_time, tz_name)
            if not due_at <= now < due_at + grace:
                continue
            sent += _practice_reminder_send(user=user, key=key, due_at=due_at, now=now)
    return sent


def _practice_reminder_send(
    *, user: User, key: str, due_at: datetime, now: datetime
) -> int:
    title = "Time for your daily practice"
    body = "A few calm minutes are waiting for you."
    data = {"kind": "daily_practice", "local_date": key.rsplit(":", 1)[1]}
    try:
        with transaction.atomic():
            record = ScheduledNotification.objects.create(
                user=user,
                type=Notification.Type.SESSION_REMINDER,
                title=title,
                body=body,
                data=data,
                send_at=due_at,
                dedupe_key=key,
                status=ScheduledNotification.Status.SENT,
                sent_at=now,
            )
            record.notification = notification_create(
                user=user,
                type=Notification.Type.SESSION_REMINDER,
                title=title,
                body=body,
                data=data,
                email=False,
            )
            record.save(update_fields=["notification"])
    except IntegrityError:
        # Another run reminded this user today (the unique key refused us).
        return 0
    return 1


def scheduled_notifications_purge(
    *, now: datetime | None = None, days: int = 30
) -> int:
    """Delete sent or cancelled scheduled rows older than ``days``."""
    cutoff = (now or timezone.now()) - timedelta(days=days)
    deleted, _ = (
        ScheduledNotification.objects.exclude(
            status=ScheduledNotification.Status.PENDING
        )
        .filter(send_at__lt=cutoff)
        .delete()
    )
    return deleted


# --- announcements ----------------------------------------------------------------
ANNOUNCEMENT_BATCH_SIZE = 500


def announcement_recipients(*, announcement: Announcement) -> QuerySet[User]:
    """Active members of the announcement's segment, in id order."""
    users = User.objects.filter(is_active=True)
    if announcement.tier:
        users = users.filter(subscription_tier=announcement.tier)
    if announcement.locale:
        language = announcement.locale.lower()
        users = users.filter(
            Q(locale__iexact=language) | Q(locale__istartswith=f"{language}-")
        )
    return users.order_by("id")


@transaction.atomic
def announcement_queue(*, announcement: Announcement) -> Announcement:
    """Freeze the segment's size and start the broadcast.

    Side effects: ``notifications.broadcast_announcement`` queued after commit.
    Queuing an announcement that is already under way does nothing.
    """
    from notifications.tasks import broadcast_announcement

    announcement = Announcement.objects.select_for_update().get(pk=announcement.pk)
    if announcement.status != Announcement.Status.DRAFT:
        return announcement
    announcement.status = Announcement.Status.QUEUED
    announcement.queued_at = announcement.progress_at = timezone.now()
    announcement.recipients_total = announcement_recipients(
        announcement=announcement
    ).count()
    announcement.save(
        update_fields=["status", "queued_at", "progress_at", "recipients_total"]
    )
    announcement_id = announcement.pk
    transaction.on_commit(
        lambda: broadcast_announcement.delay(announcement_id=announcement_id)
    )
    return announcement


def announcement_resume(*, announcement: Announcement) -> bool:
    """Queue the broadcast task again for an announcement under way (its task
    was lost, e.g. the broker was down when it was queued). Harmless when the
    task is still running: batches take the row lock and move the cursor.

    Side effects: ``notifications.broadcast_announcement`` queued after commit.
    """
    from notifications.tasks import broadcast_announcement

    if announcement.status not in (
        Announcement.Status.QUEUED,
        Announcement.Status.SENDING,
    ):
        return False
    announcement_id = announcement.pk
    transaction.on_commit(
        lambda: broadcast_announcement.delay(announcement_id=announcement_id)
    )
    return True


def announcements_resume_stalled(*, now: datetime | None = None) -> int:
    """Resume every broadcast under way whose progress has not moved for
    ``ANNOUNCEMENT_STALL_SECONDS``; the number resumed. Run by beat
    (``notifications.resume_stalled_announcements``).

    Each one is claimed by moving its ``progress_at`` to now, under its row lock,
    so one stall queues one task per stall window however often the sweep runs.
    A broadcast whose batch holds the row lock right now is running, not
    stalled: it is skipped. Even when a resumed task overlaps one still running
    (a slow worker), nobody is told twice: batches take the same row lock and
    move the cursor (``announcement_broadcast_batch``).

    Side effects: ``notifications.broadcast_announcement`` queued after commit.
    """
    from notifications.tasks import broadcast_announcement

    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.ANNOUNCEMENT_STALL_SECONDS)
    with transaction.atomic():
        # The sweep against a batch of a running task: skip_locked leaves a
        # broadcast that is moving right now alone.
        stalled = list(
            Announcement.objects.select_for_update(skip_locked=True)
            .filter(
                status__in=(Announcement.Status.QUEUED, Announcement.Status.SENDING)
            )
            # Rows queued before progress_at existed fall back to queued_at.
            .alias(moved=Coalesce("progress_at", "queued_at"))
            .filter(Q(moved__lt=cutoff) | Q(moved__isnull=True))
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        Announcement.objects.filter(pk__in=stalled).update(progress_at=now)
        for announcement_id in stalled:
            transaction.on_commit(
                partial(broadcast_announcement.delay, announcement_id=announcement_id)
            )
    if stalled:
        logger.warning(
            "announcements resumed after a stall", extra={"announcement_ids": stalled}
        )
    return len(stalled)


def announcement_broadcast_batch(
    *, announcement_id: int, batch_size: int = ANNOUNCEMENT_BATCH_SIZE
) -> bool:
    """Notify the next batch of the segment; True while users remain.

    One transaction per batch, holding the announcement's row lock (two
    deliveries of the task would otherwise notify the same batch twice): the
    notifications and the cursor (``last_user_id``) commit together.
    """
    with transaction.atomic():
        announcement = Announcement.objects.select_for_update().get(pk=announcement_id)
        if announcement.status not in (
            Announcement.Status.QUEUED,
            Announcement.Status.SENDING,
        ):
            return False
        # One more than a batch, to know whether another batch follows.
        batch = list(
            announcement_recipients(announcement=announcement).filter(
                id__gt=announcement.last_user_id
            )[: batch_size + 1]
        )
        more = len(batch) > batch_size
        batch = batch[:batch_size]
        for user in batch:
            notification_create(
                user=user,
                type=Notification.Type.ANNOUNCEMENT,
                title=announcement.title,
                body=announcement.body,
                data={"announcement_id": announcement.pk},
            )
        fields = ["status", "recipients_done", "last_user_id", "progress_at"]
        announcement.progress_at = timezone.now()
        announcement.recipients_done += len(batch)
        if batch:
            announcement.last_user_id = batch[-1].pk
        if not more:
            announcement.status = Announcement.Status.SENT
            announcement.finished_at = timezone.now()
            # Members who joined the segment after queuing are counted too.
            announcement.recipients_total = max(
                announcement.recipients_total, announcement.recipients_done
            )
            fields += ["finished_at", "recipients_total"]
        else:
            announcement.status = Announcement.Status.SENDING
        announcement.save(update_fields=fields)
        return announcement.status == Announcement.Status.SENDING


def announcement_broadcast(
    *, announcement_id: int, batch_size: int = ANNOUNCEMENT_BATCH_SIZE
) -> int:
    """Send the whole announcement, batch by batch; returns the batches run.

    Resumable: each batch commits its own progress, which the admin shows.
    """
    batches = 0
    while announcement_broadcast_batch(
        announcement_id=announcement_id, batch_size=batch_size
    ):
        batches += 1
    return batches + 1
