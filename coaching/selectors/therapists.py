"""The therapist directory and its bookable slots."""

from __future__ import annotations

from collections import defaultdict
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
    available_between: tuple[datetime, datetime] | None = None,
) -> QuerySet[Therapist]:
    """Active therapists, by name; each filter narrows the list.
    ``available_between``: only those with a bookable slot starting in it."""
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
    if available_between is not None:
        qs = qs.filter(pk__in=_with_slots(qs, *available_between))
    return qs.order_by("display_name", "id")


def _with_slots(
    therapists: QuerySet[Therapist], start: datetime, end: datetime
) -> list[int]:
    """Ids of the therapists with a slot in [start, end): four queries whatever
    the number of therapists."""
    margin = timedelta(days=1)
    candidates = list(therapists.prefetch_related("windows"))
    exceptions: dict[int, list[DatedChange]] = defaultdict(list)
    for e in AvailabilityException.objects.filter(
        therapist__in=candidates,
        date__gte=(start - margin).date(),
        date__lte=(end + margin).date(),
    ):
        exceptions[e.therapist_id].append(_change(e))
    busy: dict[int, list[Busy]] = defaultdict(list)
    for therapist_id, starts_at, ends_at in (
        TherapistBooking.objects.active()
        .filter(
            therapist__in=candidates,
            starts_at__lt=end + margin,
            ends_at__gt=start - margin,
        )
        .values_list("therapist_id", "starts_at", "ends_at")
    ):
        busy[therapist_id].append(Busy(starts_at, ends_at))
    now = timezone.now()
    return [
        t.pk
        for t in candidates
        if generate_slots(
            rules=_rules(t),
            windows=_windows(t),
            exceptions=exceptions[t.pk],
            busy=busy[t.pk],
            start=start,
            end=end,
            now=now,
        )
    ]


def _rules(therapist: Therapist) -> Rules:
    return Rules(
        timezone=therapist.timezone,
        duration=timedelta(seconds=therapist.session_duration_seconds),
        buffer=timedelta(seconds=therapist.buffer_seconds),
        min_notice=timedelta(seconds=therapist.min_notice_seconds),
        max_per_day=therapist.max_bookings_per_day,
    )


def _windows(therapist: Therapist) -> list[Window]:
    return [
        Window(w.weekday, w.start_time, w.end_time) for w in therapist.windows.all()
    ]


def _change(e: AvailabilityException) -> DatedChange:
    return DatedChange(
        e.date, e.kind == AvailabilityException.Kind.TIME_OFF, e.start_time, e.end_time
    )


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
        rules=_rules(therapist),
        windows=_windows(therapist),
        exceptions=[_change(e) for e in exceptions],
        busy=[Busy(s, e) for s, e in bookings.values_list("starts_at", "ends_at")],
        start=start,
        end=end,
        now=now,
    )
