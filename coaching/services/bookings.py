"""Booking workflows: request, confirm or decline, cancel, reschedule, finish.

Exactly one of two racing requests for one slot wins. On PostgreSQL the
database guarantees it (the exclusion constraint of migration 0002); the
service also checks under a row lock on the therapist, which is what refuses
the second booking on the SQLite default and gives the clearer error first.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone

from coaching.exceptions import (
    BookingLimitError,
    BookingStartedError,
    BookingTransitionError,
    SlotTakenError,
    SlotUnavailableError,
    TherapistNotAcceptingError,
)
from coaching.models import (
    BookingStatus,
    BookingTransition,
    Therapist,
    TherapistBooking,
)
from coaching.selectors.bookings import upcoming_booking_count
from coaching.selectors.therapists import therapist_slots
from kaya.timeutils import instant_text
from notifications.models import Notification
from notifications.services import (
    notification_create,
    notification_schedule,
    notification_schedule_cancel,
)

if TYPE_CHECKING:
    from accounts.models import User

MAX_UPCOMING_BOOKINGS = 3
FREE_CANCELLATION = timedelta(hours=24)
REMINDERS = (("24h", timedelta(hours=24)), ("1h", timedelta(hours=1)))

# Every allowed state change; anything else is refused with invalid_transition.
TRANSITIONS: dict[str, frozenset[str]] = {
    BookingStatus.PENDING: frozenset(
        {BookingStatus.CONFIRMED, BookingStatus.DECLINED, BookingStatus.CANCELLED}
    ),
    BookingStatus.CONFIRMED: frozenset(
        {BookingStatus.COMPLETED, BookingStatus.CANCELLED, BookingStatus.NO_SHOW}
    ),
}


def _lock_booking(booking: TherapistBooking) -> TherapistBooking:
    # The client, the therapist and staff may act on one booking at once.
    return TherapistBooking.objects.select_for_update().get(pk=booking.pk)


def _lock_therapist(therapist: Therapist) -> Therapist:
    # Every booking write of one therapist takes this lock first, so the
    # slot check below sees every committed booking of theirs.
    return Therapist.objects.select_for_update().get(pk=therapist.pk)


def _check_slot(
    *,
    therapist: Therapist,
    starts_at: datetime,
    ignore_booking: TherapistBooking | None = None,
) -> datetime:
    """The slot's end if ``starts_at`` is bookable now, else a 409."""
    slots = therapist_slots(
        therapist=therapist,
        start=starts_at,
        end=starts_at + timedelta(microseconds=1),
        ignore_booking=ignore_booking,
    )
    if slots and slots[0].starts_at == starts_at:
        return slots[0].ends_at
    ends_at = starts_at + timedelta(seconds=therapist.session_duration_seconds)
    overlapping = TherapistBooking.objects.active().filter(
        therapist=therapist, starts_at__lt=ends_at, ends_at__gt=starts_at
    )
    if ignore_booking is not None:
        overlapping = overlapping.exclude(pk=ignore_booking.pk)
    raise SlotTakenError() if overlapping.exists() else SlotUnavailableError()


def _record(
    booking: TherapistBooking,
    *,
    from_status: str,
    reason: str,
    actor: User | None,
    previous_starts_at: datetime | None = None,
) -> None:
    BookingTransition.objects.create(
        booking=booking,
        from_status=from_status,
        to_status=booking.status,
        reason=reason,
        actor=actor,
        previous_starts_at=previous_starts_at,
    )


def _transition(
    booking: TherapistBooking, *, to: str, actor: User | None, reason: str = ""
) -> str:
    """Move ``booking`` (locked) to ``to``; its previous status."""
    previous = booking.status
    if to not in TRANSITIONS.get(previous, frozenset()):
        raise BookingTransitionError()
    booking.status = to
    booking.save(update_fields=["status", "updated_at"])
    _record(booking, from_status=previous, reason=reason or to, actor=actor)
    return previous


def _notify(
    booking: TherapistBooking, *, event: str, title: str, client: bool, therapist: bool
) -> None:
    # Titles name no private text (the note never leaves the booking).
    data = {
        "booking_id": booking.pk,
        "therapist_id": booking.therapist_id,
        "event": event,
        "starts_at": instant_text(booking.starts_at),
    }
    if client:
        notification_create(
            user=booking.user,
            type=Notification.Type.BOOKING_UPDATE,
            title=title,
            data=data,
        )
    if therapist and booking.therapist.user is not None:
        notification_create(
            user=booking.therapist.user,
            type=Notification.Type.BOOKING_UPDATE,
            title=title,
            data=data,
        )


def _reminder_key(booking: TherapistBooking, label: str, starts_at: datetime) -> str:
    return f"booking_{label}:{booking.pk}:{int(starts_at.timestamp())}"


def _reminders_schedule(booking: TherapistBooking) -> None:
    now = timezone.now()
    for label, before in REMINDERS:
        send_at = booking.starts_at - before
        if send_at <= now:
            continue
        notification_schedule(
            user=booking.user,
            type=Notification.Type.SESSION_REMINDER,
            title=f"Your session with {booking.therapist.display_name} starts in "
            f"{label.replace('h', ' h')}",
            send_at=send_at,
            dedupe_key=_reminder_key(booking, label, booking.starts_at),
            data={"booking_id": booking.pk, "therapist_id": booking.therapist_id},
        )


def _reminders_cancel(booking: TherapistBooking, starts_at: datetime) -> None:
    for label, _before in REMINDERS:
        notification_schedule_cancel(
            user=booking.user, dedupe_key=_reminder_key(booking, label, starts_at)
        )


def _not_started(booking: TherapistBooking) -> None:
    if booking.starts_at <= timezone.now():
        raise BookingStartedError()


@transaction.atomic
def booking_create(
    *, user: User, therapist: Therapist, starts_at: datetime, note: str = ""
) -> TherapistBooking:
    """Request a session at one of the therapist's slots (status pending).

    Refuses with 409: a time that is not a slot (``slot_unavailable``), one just
    taken (``slot_taken``), a 4th upcoming booking (``booking_limit_reached``), a
    therapist not accepting new clients (``therapist_not_accepting``).

    Side effects: a ``booking_update`` notification to the client and to the
    therapist's account (live and by email after commit).
    """
    from accounts.models import User as UserModel

    # Locks in one order (client, then therapist): two requests of one client
    # race for the cap, two clients race for the slot.
    UserModel.objects.select_for_update().filter(pk=user.pk).first()
    therapist = _lock_therapist(therapist)
    if not therapist.is_active:
        raise SlotUnavailableError()
    if (
        not therapist.accepts_new_clients
        and not TherapistBooking.objects.for_user(user)
        .filter(therapist=therapist)
        .exists()
    ):
        raise TherapistNotAcceptingError()
    if upcoming_booking_count(user=user) >= MAX_UPCOMING_BOOKINGS:
        raise BookingLimitError()
    ends_at = _check_slot(therapist=therapist, starts_at=starts_at)
    try:
        with transaction.atomic():
            booking = TherapistBooking.objects.create(
                user=user,
                therapist=therapist,
                starts_at=starts_at,
                ends_at=ends_at,
                note=note,
            )
    except IntegrityError as exc:
        # The exclusion constraint: another booking committed in between.
        raise SlotTakenError() from exc
    _record(booking, from_status=BookingStatus.PENDING, reason="requested", actor=user)
    _notify(
        booking,
        event="requested",
        title="Booking requested",
        client=True,
        therapist=True,
    )
    return booking


@transaction.atomic
def booking_confirm(
    *, booking: TherapistBooking, actor: User | None
) -> TherapistBooking:
    """The therapist (or staff) accepts a pending booking.

    Side effects: a notification to the client; reminders 24 h and 1 h before.
    """
    booking = _lock_booking(booking)
    _not_started(booking)
    _transition(booking, to=BookingStatus.CONFIRMED, actor=actor)
    _reminders_schedule(booking)
    _notify(
        booking,
        event="confirmed",
        title="Booking confirmed",
        client=True,
        therapist=False,
    )
    return booking


@transaction.atomic
def booking_decline(
    *, booking: TherapistBooking, actor: User | None
) -> TherapistBooking:
    """The therapist (or staff) declines a pending booking; its time is free again.

    Side effects: a notification to the client.
    """
    booking = _lock_booking(booking)
    _transition(booking, to=BookingStatus.DECLINED, actor=actor)
    _notify(
        booking,
        event="declined",
        title="Booking declined",
        client=True,
        therapist=False,
    )
    return booking


@transaction.atomic
def booking_cancel(
    *, booking: TherapistBooking, actor: User | None
) -> TherapistBooking:
    """Cancel an active booking before it starts. Free until 24 h before; a later
    cancellation is recorded as late (``cancelled_late``).

    Side effects: its reminders are cancelled; a notification to the other side.
    """
    booking = _lock_booking(booking)
    _not_started(booking)
    now = timezone.now()
    _transition(booking, to=BookingStatus.CANCELLED, actor=actor)
    booking.cancelled_at = now
    booking.cancelled_late = booking.starts_at - now < FREE_CANCELLATION
    booking.save(update_fields=["cancelled_at", "cancelled_late"])
    _reminders_cancel(booking, booking.starts_at)
    by_client = actor is not None and actor.pk == booking.user_id
    _notify(
        booking,
        event="cancelled",
        title="Booking cancelled",
        client=not by_client,
        therapist=by_client,
    )
    return booking


@transaction.atomic
def booking_reschedule(
    *, booking: TherapistBooking, starts_at: datetime, actor: User | None
) -> TherapistBooking:
    """Move an active booking to another slot of the same therapist, atomically:
    the new slot is taken or nothing changes.

    Side effects: reminders move with it; a notification to both sides.
    """
    therapist = _lock_therapist(booking.therapist)
    booking = _lock_booking(booking)
    if not booking.is_active:
        raise BookingTransitionError()
    _not_started(booking)
    previous = booking.starts_at
    ends_at = _check_slot(
        therapist=therapist, starts_at=starts_at, ignore_booking=booking
    )
    try:
        with transaction.atomic():
            booking.starts_at, booking.ends_at = starts_at, ends_at
            booking.save(update_fields=["starts_at", "ends_at", "updated_at"])
    except IntegrityError as exc:
        raise SlotTakenError() from exc
    _record(
        booking,
        from_status=booking.status,
        reason="rescheduled",
        actor=actor,
        previous_starts_at=previous,
    )
    if booking.status == BookingStatus.CONFIRMED:
        _reminders_cancel(booking, previous)
        _reminders_schedule(booking)
    _notify(
        booking,
        event="rescheduled",
        title="Booking rescheduled",
        client=True,
        therapist=True,
    )
    return booking


@transaction.atomic
def booking_finish(
    *, booking: TherapistBooking, status: str, actor: User | None
) -> TherapistBooking:
    """Staff record how a confirmed session went: completed or no_show (only
    once it has started). Side effects: none."""
    booking = _lock_booking(booking)
    if status not in (BookingStatus.COMPLETED, BookingStatus.NO_SHOW):
        raise BookingTransitionError()
    if booking.starts_at > timezone.now():
        raise BookingTransitionError("The session has not started yet.")
    _transition(booking, to=status, actor=actor)
    return booking
