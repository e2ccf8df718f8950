"""Wellness event reads: the published upcoming events with the user's own
registration annotated, the user's registrations and their next event."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from kaya.timeutils import local_day_bounds
from wellness.models import EventRegistration, WellnessEvent

if TYPE_CHECKING:
    from accounts.models import User


def _with_my_registration(
    events: QuerySet[WellnessEvent], *, user: User
) -> QuerySet[WellnessEvent]:
    """``registration_id`` and ``registration_status`` of the user's active
    registration (None without one): two subqueries of the page's one query."""
    mine = (
        EventRegistration.objects.for_user(user)
        .active()
        .filter(event=OuterRef("pk"))
        .order_by()
    )
    return events.annotate(
        registration_id=Subquery(mine.values("pk")[:1]),
        registration_status=Subquery(mine.values("status")[:1]),
    )


def event_detail_queryset(*, user: User) -> QuerySet[WellnessEvent]:
    """Every published event, past ones included (so registering for one is a
    clear ``event_started`` rather than a 404); unpublished ones are not found."""
    return _with_my_registration(WellnessEvent.objects.published(), user=user)


def event_list(
    *,
    user: User,
    kind: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    include_full: bool = False,
) -> QuerySet[WellnessEvent]:
    """Published events that have not started, soonest first, with seats left,
    or that the user already holds a seat or waitlist place at. ``include_full``
    lists full events too (to join their waitlist). ``date_from``/``date_to``
    are local dates of the user's time zone (the start's date)."""
    events = _with_my_registration(
        WellnessEvent.objects.published().filter(starts_at__gt=timezone.now()),
        user=user,
    )
    if not include_full:
        events = events.filter(
            Q(seats_taken__lt=F("capacity")) | Q(registration_id__isnull=False)
        )
    if kind:
        events = events.filter(kind=kind)
    if date_from is not None:
        events = events.filter(
            starts_at__gte=local_day_bounds(date_from, user.timezone)[0]
        )
    if date_to is not None:
        events = events.filter(
            starts_at__lt=local_day_bounds(date_to, user.timezone)[1]
        )
    return events.order_by("starts_at", "id")


def event_registration_list(
    *, user: User, status: str | None = None
) -> QuerySet[EventRegistration]:
    """The user's registrations (cancelled ones included), newest first, each
    with its event."""
    registrations = EventRegistration.objects.for_user(user).select_related("event")
    if status:
        registrations = registrations.filter(status=status)
    return registrations.order_by("-created_at", "-id")


def event_next_for_user(*, user: User) -> WellnessEvent | None:
    """The soonest published event the user holds a seat at that is not over
    yet (one in progress counts), or None. One query.

    The seat is the user's one active registration at that event (a unique
    constraint), so ``registration_id`` / ``registration_status`` are read from
    the joined seat itself rather than by ``_with_my_registration``'s two
    subqueries per event."""
    return (
        WellnessEvent.objects.published()
        .filter(
            ends_at__gt=timezone.now(),
            registrations__user=user,
            registrations__status=EventRegistration.Status.REGISTERED,
        )
        .annotate(
            registration_id=F("registrations__id"),
            registration_status=F("registrations__status"),
        )
        .order_by("starts_at", "id")
        .first()
    )
