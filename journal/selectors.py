"""Reads of journal data, always scoped to one user (another user's rows are
simply not found), plus the staff-curated prompts and crisis resources."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Avg, Count, Exists, Max, Min, OuterRef, Prefetch, QuerySet

from journal.crisis import crisis_support, locale_candidates
from journal.models import (
    GratitudeEntry,
    JournalEntry,
    JournalTag,
    MoodEntry,
    MoodTag,
    Prompt,
)
from kaya.sync import changed_since


@dataclass(frozen=True)
class DateRange:
    date_from: date | None = None
    date_to: date | None = None


def _in_range(qs: QuerySet[Any], dates: DateRange) -> QuerySet[Any]:
    if dates.date_from is not None:
        qs = qs.filter(local_date__gte=dates.date_from)
    if dates.date_to is not None:
        qs = qs.filter(local_date__lte=dates.date_to)
    return qs


def journal_entry_list(
    *,
    user: Any,
    dates: DateRange = DateRange(),
    tag: str | None = None,
    updated_since: datetime | None = None,
    include_deleted: bool = False,
) -> QuerySet[JournalEntry]:
    """The user's entries, newest first, optionally within local dates / by tag.
    With ``updated_since``: the entries changed since, tombstones of deleted
    ones included, in the order they changed (delta sync)."""
    rows = (
        JournalEntry.objects.for_user_sync(user)
        if include_deleted or updated_since is not None
        else JournalEntry.objects.for_user(user)
    )
    qs: QuerySet[JournalEntry] = (
        rows.select_related("prompt")
        .prefetch_related(Prefetch("tags", queryset=JournalTag.objects.order_by("id")))
        .order_by("-occurred_at", "-id")
    )
    if updated_since is not None:
        qs = changed_since(qs, updated_since)
    qs = _in_range(qs, dates)
    if tag:
        qs = qs.filter(
            Exists(JournalTag.objects.filter(entry=OuterRef("pk"), name=tag))
        )
    return qs


def journal_entry_get(
    *, user: Any, pk: int, include_deleted: bool = False
) -> JournalEntry | None:
    """One live entry of the user; a tombstone too with ``include_deleted``."""
    rows = journal_entry_list(user=user, include_deleted=include_deleted)
    return rows.filter(pk=pk).first()


def gratitude_entry_list(
    *,
    user: Any,
    dates: DateRange = DateRange(),
    updated_since: datetime | None = None,
) -> QuerySet[GratitudeEntry]:
    qs: QuerySet[GratitudeEntry] = GratitudeEntry.objects.for_user(user).order_by(
        "-occurred_at", "-id"
    )
    if updated_since is not None:
        qs = changed_since(qs, updated_since)
    return _in_range(qs, dates)


def mood_entry_list(
    *,
    user: Any,
    dates: DateRange = DateRange(),
    updated_since: datetime | None = None,
) -> QuerySet[MoodEntry]:
    """The user's mood entries, newest first, with their tags prefetched; with
    ``updated_since``, those changed since, in the order they changed."""
    qs: QuerySet[MoodEntry] = (
        MoodEntry.objects.for_user(user)
        .prefetch_related(Prefetch("tags", queryset=MoodTag.objects.order_by("id")))
        .order_by("-logged_at", "-id")
    )
    if updated_since is not None:
        qs = changed_since(qs, updated_since)
    return _in_range(qs, dates)


def mood_day_aggregates(*, user: Any, dates: DateRange) -> list[dict[str, Any]]:
    """One row per local day with entries, oldest first: count, average score and
    intensity, lowest and highest score."""
    rows = (
        _in_range(MoodEntry.objects.for_user(user), dates)
        .order_by()
        .values("local_date")
        .annotate(
            entries_count=Count("id"),
            average_score=Avg("score"),
            average_intensity=Avg("intensity"),
            lowest_score=Min("score"),
            highest_score=Max("score"),
        )
        .order_by("local_date")
    )
    return [
        {
            "local_date": row["local_date"],
            "entries_count": row["entries_count"],
            "average_score": round(float(row["average_score"]), 2),
            "average_intensity": round(float(row["average_intensity"]), 2),
            "lowest_score": row["lowest_score"],
            "highest_score": row["highest_score"],
        }
        for row in rows
    ]


def mood_calendar(*, user: Any, year: int, month: int) -> list[dict[str, Any]]:
    """One cell per local day of the month, with that day's average mood score
    (None on days without entries)."""
    first = date(year, month, 1)
    last = date(year, month, calendar.monthrange(year, month)[1])
    by_day = {
        row["local_date"]: row
        for row in mood_day_aggregates(user=user, dates=DateRange(first, last))
    }
    cells = []
    # Counted rather than stepped past ``last``: the day after 9999-12-31 overflows.
    for offset in range(last.day):
        day = first + timedelta(days=offset)
        row = by_day.get(day)
        cells.append(
            {
                "local_date": day,
                "entries_count": row["entries_count"] if row else 0,
                "average_score": row["average_score"] if row else None,
            }
        )
    return cells


def prompt_for_day(*, locale: str | None, day: date) -> Prompt | None:
    """The active prompt of the day for a locale (else the fallback locale),
    rotating through the curated list in id order, one step per local day."""
    for candidate in locale_candidates(locale):
        ids = list(
            Prompt.objects.filter(locale__iexact=candidate, is_active=True)
            .order_by("id")
            .values_list("id", flat=True)
        )
        if ids:
            return Prompt.objects.get(pk=ids[day.toordinal() % len(ids)])
    return None


def journal_counts(*, user: Any) -> dict[str, int]:
    return {
        "journal_entries_count": JournalEntry.objects.for_user(user).count(),
        "gratitude_entries_count": GratitudeEntry.objects.for_user(user).count(),
        "mood_entries_count": MoodEntry.objects.for_user(user).count(),
    }


def mood_support(*, user: Any, entry: MoodEntry) -> dict[str, Any] | None:
    """Crisis resources for a very low mood logged with high intensity, else None.

    Decided on the mood scale and intensity only: no text is scanned.
    """
    if (
        entry.mood != MoodEntry.Mood.VERY_LOW
        or entry.intensity < settings.JOURNAL_SUPPORT_MIN_INTENSITY
    ):
        return None
    return crisis_support(user=user)
