"""Wellness event workflows: register (a seat, or the waitlist when full),
cancel (the first waitlisted user takes the freed seat), fill seats after staff
raise the capacity, and record attendance.

Never overbooked. A registration takes its seat with one conditional UPDATE
(``seats_taken + 1`` only while below the capacity): the UPDATE takes the
event's row lock, and a racing one waits for it, then re-checks the condition on
the committed count, so the last seat goes to exactly one of them. Every other
writer of an event's seats (cancellation and its promotion from the waitlist,
staff raising the capacity, attendance) locks the event row first
(``_lock_event``). The check constraint ``wellness_event_not_overbooked``
refuses whatever would slip past.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from kaya.events import publish
from kaya.timeutils import instant_text
from notifications.models import Notification
from notifications.services import (
    notification_create,
    notification_schedule,
    notification_schedule_cancel,
)
from wellness import events as wellness_events
from wellness.exceptions import (
    EventAttendedError,
    EventNotPublishedError,
    EventNotRegisteredError,
    EventPremiumRequiredError,
    EventStartedError,
)
from wellness.models import EventRegistration, WellnessEvent

if TYPE_CHECKING:
    from accounts.models import User

REMINDER_BEFORE = timedelta(hours=1)

Status = EventRegistration.Status


def _lock_event(event: WellnessEvent) -> WellnessEvent:
    # Racing writers of one event's seats: registrations (their conditional
    # UPDATE takes this lock too), cancellations (which promote from the
    # waitlist), staff raising the capacity or recording attendance.
    return WellnessEvent.objects.select_for_update().get(pk=event.pk)


def _reminder_key(registration: EventRegistration, starts_at: datetime) -> str:
    # The start is in the key: a moved event's reminder is a new row, while the
    # old one is cancelled (a cancelled key is never scheduled again).
    return f"event_1h:{registration.pk}:{int(starts_at.timestamp())}"


def _reminder_schedule(registration: EventRegistration, event: WellnessEvent) -> None:
    send_at = event.starts_at - REMINDER_BEFORE
    if send_at <= timezone.now():
        return
    notification_schedule(
        user=registration.user,
        type=Notification.Type.EVENT_REMINDER,
        title=f"{event.title} starts in 1 hour",
        send_at=send_at,
        dedupe_key=_reminder_key(registration, event.starts_at),
        data={"event_id": event.pk, "registration_id": registration.pk},
    )


def _reminder_cancel(registration: EventRegistration, starts_at: datetime) -> None:
    notification_schedule_cancel(
        user=registration.user, dedupe_key=_reminder_key(registration, starts_at)
    )


def _started(event: WellnessEvent) -> bool:
    return event.starts_at <= timezone.now()


def _seats_fill(event: WellnessEvent) -> int:
    """Give free seats of ``event`` (locked) to the waitlist, first come first
    served; returns how many were promoted."""
    if _started(event):
        return 0
    promoted = 0
    while event.seats_taken < event.capacity:
        registration = (
            EventRegistration.objects.filter(event=event, status=Status.WAITLISTED)
            .select_related("user")
            .order_by("created_at", "id")
            .first()
        )
        if registration is None:
            break
        registration.status = Status.REGISTERED
        registration.registered_at = timezone.now()
        registration.save(update_fields=["status", "registered_at", "updated_at"])
        event.seats_taken += 1
        promoted += 1
        _reminder_schedule(registration, event)
        notification_create(
            user=registration.user,
            type=Notification.Type.EVENT_UPDATE,
            title=f"A seat opened up: you are registered for {event.title}",
            data={
                "event_id": event.pk,
                "registration_id": registration.pk,
                "event": "promoted",
                "starts_at": instant_text(event.starts_at),
            },
        )
    if promoted:
        event.save(update_fields=["seats_taken"])
    return promoted


def _active_registration(
    *, user: User, event: WellnessEvent
) -> EventRegistration | None:
    return EventRegistration.objects.for_user(user).active().filter(event=event).first()


@transaction.atomic
def event_register(
    *, user: User, event: WellnessEvent
) -> tuple[EventRegistration, bool]:
    """Take a seat at a published event that has not started, or a place on its
    waitlist when every seat is taken. Idempotent: a user already registered or
    waitlisted gets that registration back with ``created=False``.

    Refuses: an unpublished event (404), one that has started (409
    ``event_started``), a premium event for a free-tier user (403
    ``premium_required``).

    Side effects: with a seat, a reminder scheduled one hour before the start.
    """
    event = WellnessEvent.objects.get(pk=event.pk)
    if not event.is_published:
        raise EventNotPublishedError()
    if _started(event):
        raise EventStartedError()
    existing = _active_registration(user=user, event=event)
    if existing is not None:
        return existing, False
    if event.is_premium and not user.is_premium:
        raise EventPremiumRequiredError()
    try:
        with transaction.atomic():
            registration = EventRegistration.objects.create(
                user=user, event=event, status=Status.WAITLISTED
            )
    except IntegrityError:
        # The same user's parallel request registered first (the unique
        # active registration); it has committed, so it is found now.
        existing = _active_registration(user=user, event=event)
        if existing is None:
            raise
        return existing, False
    # The seat (see the module docstring). The event's row lock is held from
    # here until commit: only short writes follow.
    took_seat = WellnessEvent.objects.filter(
        pk=event.pk, seats_taken__lt=F("capacity")
    ).update(seats_taken=F("seats_taken") + 1)
    if took_seat:
        registration.status = Status.REGISTERED
        registration.registered_at = timezone.now()
        registration.save(update_fields=["status", "registered_at", "updated_at"])
        _reminder_schedule(registration, event)
    event.refresh_from_db(fields=["seats_taken"])
    return registration, True


@transaction.atomic
def event_registration_cancel(*, user: User, event: WellnessEvent) -> EventRegistration:
    """Give up the user's seat or waitlist place at ``event`` before it starts.

    Refuses: no active registration (404 ``not_registered``), an event that has
    started (409 ``event_started``), a recorded attendance (409
    ``event_attended``).

    Side effects: the reminder is cancelled; a freed seat goes to the first
    waitlisted user, who gets a reminder and an ``event_update`` notification.
    """
    event = _lock_event(event)
    # No lock on the registration itself: every other writer of it holds the
    # event's lock (a new registration is not anyone else's to change).
    registration = _active_registration(user=user, event=event)
    if registration is None:
        raise EventNotRegisteredError()
    if registration.status == Status.ATTENDED:
        raise EventAttendedError()
    if _started(event):
        raise EventStartedError()
    held_seat = registration.status == Status.REGISTERED
    registration.status = Status.CANCELLED
    registration.cancelled_at = timezone.now()
    registration.save(update_fields=["status", "cancelled_at", "updated_at"])
    if held_seat:
        _reminder_cancel(registration, event.starts_at)
        event.seats_taken -= 1
        event.save(update_fields=["seats_taken"])
        _seats_fill(event)
    registration.event = event
    return registration


@transaction.atomic
def event_seats_fill(*, event: WellnessEvent) -> int:
    """After staff raise an event's capacity: promote waitlisted users into the
    new seats (as a cancellation does). Returns how many were promoted.

    Side effects: as for a promotion in ``event_registration_cancel``.
    """
    return _seats_fill(_lock_event(event))


@transaction.atomic
def event_time_changed(*, event: WellnessEvent, previous_starts_at: datetime) -> int:
    """After staff move an event (its start or end): the seat holders'
    reminders move with it, and everyone registered or waitlisted is told.
    Returns how many users were notified.

    Side effects: ``event_update`` notifications; reminders rescheduled.
    """
    event = _lock_event(event)
    registrations = (
        EventRegistration.objects.filter(
            event=event, status__in=[Status.REGISTERED, Status.WAITLISTED]
        )
        .select_related("user")
        .order_by("id")
    )
    # A reminder's key holds the start: only a new start needs a new one (a
    # cancelled key is never scheduled again).
    moved = event.starts_at != previous_starts_at
    notified = 0
    for registration in registrations:
        if moved and registration.status == Status.REGISTERED:
            _reminder_cancel(registration, previous_starts_at)
            _reminder_schedule(registration, event)
        notification_create(
            user=registration.user,
            type=Notification.Type.EVENT_UPDATE,
            title=f"{event.title} has a new time",
            data={
                "event_id": event.pk,
                "registration_id": registration.pk,
                "event": "rescheduled",
                "starts_at": instant_text(event.starts_at),
            },
        )
        notified += 1
    return notified


@dataclass(frozen=True)
class AttendanceResult:
    marked_count: int
    skipped_count: int


@transaction.atomic
def event_attendance_mark(*, registration_ids: Iterable[int]) -> AttendanceResult:
    """Staff record that registered users attended events that have started.
    Registrations that are not ``registered`` (waitlisted, cancelled, already
    attended) or whose event has not started are skipped.

    Side effects: ``wellness.events.event_attended`` per attendance, after
    commit (the achievements engine counts ``events_attended`` from it).
    """
    ids = sorted(set(registration_ids))
    event_ids = sorted(
        set(
            EventRegistration.objects.filter(pk__in=ids).values_list(
                "event_id", flat=True
            )
        )
    )
    # Events locked in id order: two staff members marking overlapping sets
    # cannot deadlock.
    events = {
        event.pk: event
        for event in WellnessEvent.objects.select_for_update()
        .filter(pk__in=event_ids)
        .order_by("pk")
    }
    now = timezone.now()
    marked = 0
    for registration in EventRegistration.objects.filter(pk__in=ids).order_by("pk"):
        event = events[registration.event_id]
        if registration.status != Status.REGISTERED or event.starts_at > now:
            continue
        registration.status = Status.ATTENDED
        registration.attended_at = now
        registration.save(update_fields=["status", "attended_at", "updated_at"])
        marked += 1
        publish(
            wellness_events.event_attended,
            sender=EventRegistration,
            user_id=registration.user_id,
            event_id=event.pk,
            registration_id=registration.pk,
        )
    return AttendanceResult(marked_count=marked, skipped_count=len(ids) - marked)
