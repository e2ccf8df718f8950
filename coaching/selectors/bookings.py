"""Bookings as their client or their therapist sees them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.utils import timezone

from coaching.models import ACTIVE_STATUSES, Therapist, TherapistBooking

if TYPE_CHECKING:
    from accounts.models import User

UPCOMING = "upcoming"
PAST = "past"


def _when(
    qs: QuerySet[TherapistBooking], when: str | None
) -> QuerySet[TherapistBooking]:
    now = timezone.now()
    if when == UPCOMING:
        return qs.filter(ends_at__gt=now, status__in=ACTIVE_STATUSES).order_by(
            "starts_at", "id"
        )
    if when == PAST:
        return qs.exclude(ends_at__gt=now, status__in=ACTIVE_STATUSES).order_by(
            "-starts_at", "-id"
        )
    return qs.order_by("-starts_at", "-id")


def booking_list(*, user: User, when: str | None = None) -> QuerySet[TherapistBooking]:
    """The user's own bookings as a client. ``upcoming``: active ones not yet
    over, soonest first; ``past``: the rest, newest first; neither: all, newest
    first."""
    qs = TherapistBooking.objects.for_user(user).select_related("therapist")
    return _when(qs, when)


def therapist_booking_list(
    *, user: User, when: str | None = None
) -> QuerySet[TherapistBooking]:
    """The bookings of the therapist linked to ``user`` (none for anyone else)."""
    qs = TherapistBooking.objects.for_therapist_user(user).select_related(
        "therapist", "user"
    )
    return _when(qs, when)


def upcoming_booking_count(*, user: User) -> int:
    return (
        TherapistBooking.objects.active()
        .for_user(user)
        .filter(starts_at__gt=timezone.now())
        .count()
    )


def booking_detail_list(*, user: User) -> QuerySet[TherapistBooking]:
    """The user's bookings with their history, for one-booking reads."""
    return (
        TherapistBooking.objects.for_user(user)
        .select_related("therapist")
        .prefetch_related("transitions")
    )


def is_therapist_user(*, user: User) -> bool:
    return Therapist.objects.filter(user=user).exists()
