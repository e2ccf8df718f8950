"""The therapist directory and its bookable slots."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from coaching.availability import Busy, DatedChange, Rules, Slot, Window, generate_slots
from coaching.models import AvailabilityException, Therapist, TherapistBooking

# The longest range the slot generator answers for (a bounded amount of work).
MAX_SLOT_RANGE_DAYS = 31


def therapist_list(
    *,
    specialty: str | None = None,
    language: str | None = None,
    accepts_new_clients: bool | None = None,
    search: str | None = None,
) -> QuerySet[Therapist]:
    """Active therapists, by name; each filter narrows the list."""
    qs = Therapist.objects.active()
    # JSON lists: match a whole quoted element, case-insensitively, the same
    # way on SQLite and PostgreSQL.
    if specialty:
        qs = qs.filter(specialties__icontains=f'"{specialty}"')
    if language:
        qs = qs.filter(languages__icontains=f'"{language}"')
    if accepts_new_clients is not None:
        qs = qs.filter(accepts_new_clients=accepts_new_clients)
    if search:
        qs = qs.filter(display_name__icontains=search)
    return qs.order_by("display_name", "id")


def therapist_slots(
    *,
    therapist: Therapist,
    start: datetime,
    end: datetime,
    now: datetime | None = None,
    ignore_booking: TherapistBooking | None = None,
) -> list[Slot]:
    """Bookable slots of ``therapist`` starting in [start, end). A booking being
    rescheduled (``ignore_booking``) does not block its own time."""
    now = now or timezone.now()
    # A day's booking count is per the therapist's local day, which may reach a
    # day beyond the range on either side.
    margin = timedelta(days=1)
    bookings = TherapistBooking.objects.active().filter(
        therapist=therapist,
        starts_at__lt=end + margin,
        ends_at__gt=start - margin,
    )
    if ignore_booking is not None:
        bookings = bookings.exclude(pk=ignore_booking.pk)
    exceptions = AvailabilityException.objects.filter(
        Q(therapist=therapist),
        date__gte=(start - margin).date(),
        date__lte=(end + margin).date(),
    )
    return generate_slots(
        rules=Rules(
            timezone=therapist.timezone,
            duration=timedelta(seconds=therapist.session_duration_seconds),
            buffer=timedelta(seconds=therapist.buffer_seconds),
            min_notice=timedelta(seconds=therapist.min_notice_seconds),
            max_per_day=therapist.max_bookings_per_day,
        ),
        windows=[
            Window(w.weekday, w.start_time, w.end_time) for w in therapist.windows.all()
        ],
        exceptions=[
            DatedChange(
                e.date,
                e.kind == AvailabilityException.Kind.TIME_OFF,
                e.start_time,
                e.end_time,
            )
            for e in exceptions
        ],
        busy=[Busy(s, e) for s, e in bookings.values_list("starts_at", "ends_at")],
        start=start,
        end=end,
        now=now,
    )
