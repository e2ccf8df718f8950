"""Reads of journal data, always scoped to one user (another user's rows are
simply not found), plus the staff-curated prompts and crisis resources."""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Avg, Count, Exists, Max, Min, OuterRef, QuerySet

from journal.crisis import crisis_support, locale_candidates
from journal.models import (
    GratitudeEntry,
    JournalEntry,
    JournalTag,
    MoodEntry,
    MoodTag,
    Prompt,
)
from kaya.db import planned_once_cursor
from kaya.expressions import StringList
from kaya.prepared import PreparedQuery
from kaya.sync import changed_since
from kaya.timeutils import local_today

if TYPE_CHECKING:
    from accounts.models import User


def _in_range(
    qs: QuerySet[Any], date_from: date | None, date_to: date | None
) -> QuerySet[Any]:
    if date_from is not None:
        qs = qs.filter(local_date__gte=date_from)
    if date_to is not None:
        qs = qs.filter(local_date__lte=date_to)
    return qs


def journal_entry_list(
    *,
    user: User,
    date_from: date | None = None,
    date_to: date | None = None,
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
    # ``tag_names``: the entry's tag names in id order, in the same query.
    qs: QuerySet[JournalEntry] = (
        rows.select_related("prompt")
        .annotate(
            tag_names=StringList(
                JournalTag.objects.filter(entry=OuterRef("pk")).order_by("id"), "name"
            )
        )
        .order_by("-occurred_at", "-id")
    )
    if updated_since is not None:
        qs = changed_since(qs, updated_since)
    qs = _in_range(qs, date_from, date_to)
    if tag:
        qs = qs.filter(
            Exists(JournalTag.objects.filter(entry=OuterRef("pk"), name=tag))
        )
    return qs


# The journal page: ``journal_entry_list``'s rows as ``JournalEntryOutput``
# reads them, its SQL built once per combination of filters (kaya.prepared).
journal_entry_rows = PreparedQuery(
    journal_entry_list,
    fields=(
        "id",
        "title",
        "body",
        "tag_names",
        "prompt__id",
        "prompt__text",
        "mood_entry_id",
        "client_id",
        "occurred_at",
        "local_date",
        "created_at",
        "updated_at",
        "deleted_at",
    ),
)


def gratitude_entry_list(
    *,
    user: User,
    date_from: date | None = None,
    date_to: date | None = None,
    updated_since: datetime | None = None,
) -> QuerySet[GratitudeEntry]:
    """The user's gratitude entries, newest first, optionally within local
    dates; with ``updated_since``, those changed since, in the order they
    changed."""
    qs: QuerySet[GratitudeEntry] = GratitudeEntry.objects.for_user(user).order_by(
        "-occurred_at", "-id"
    )
    if updated_since is not None:
        qs = changed_since(qs, updated_since)
    return _in_range(qs, date_from, date_to)


def _mood_tag_values(kind: str) -> StringList:
    return StringList(
        MoodTag.objects.filter(entry=OuterRef("pk"), kind=kind).order_by("id"),
        "value",
    )


def mood_entry_list(
    *,
    user: User,
    date_from: date | None = None,
    date_to: date | None = None,
    updated_since: datetime | None = None,
) -> QuerySet[MoodEntry]:
    """The user's mood entries, newest first, each with its ``emotion_values``
    and ``factor_values`` (tag values in id order, read in the same query); with
    ``updated_since``, those changed since, in the order they changed."""
    qs: QuerySet[MoodEntry] = (
        MoodEntry.objects.for_user(user)
        .annotate(
            emotion_values=_mood_tag_values(MoodTag.Kind.EMOTION),
            factor_values=_mood_tag_values(MoodTag.Kind.FACTOR),
        )
        .order_by("-logged_at", "-id")
    )
    if updated_since is not None:
        qs = changed_since(qs, updated_since)
    return _in_range(qs, date_from, date_to)


# Mood history's entries: ``mood_entry_list``'s rows as ``MoodEntryOutput``
# reads them, its SQL built once per combination of filters (kaya.prepared):
# building and compiling that queryset, with its tag lists, was more than half
# of reading a month of moods.
mood_entry_rows = PreparedQuery(
    mood_entry_list,
    fields=(
        "id",
        "mood",
        "score",
        "intensity",
        "emotion_values",
        "factor_values",
        "note",
        "client_id",
        "logged_at",
        "local_date",
        "created_at",
        "updated_at",
    ),
)


def mood_entry_linkable(*, user: User) -> QuerySet[MoodEntry]:
    """The mood entries a journal entry of ``user`` may link to: only their own
    (another user's id is simply unknown)."""
    return MoodEntry.objects.for_user(user)


def prompt_linkable() -> QuerySet[Prompt]:
    """The prompts a journal entry may cite: any curated one, retired included
    (an entry written to yesterday's prompt keeps it)."""
    return Prompt.objects.all()


def mood_day_aggregates(
    *, user: User, date_from: date, date_to: date
) -> list[dict[str, Any]]:
    """One row per local day with entries, oldest first: count, average score and
    intensity, lowest and highest score."""
    rows = (
        _in_range(MoodEntry.objects.for_user(user), date_from, date_to)
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


def _mood_days_of(entries: Sequence[Any]) -> list[dict[str, Any]]:
    """What ``mood_day_aggregates`` answers for a range, from every entry of
    that range already read (no second query): the same rows, the averages
    rounded the same way (a day's mean of small integers is a short exact
    fraction, so the float PostgreSQL's numeric gives is this division's)."""
    by_day: dict[date, list[int]] = {}
    for entry in entries:
        score = entry.score
        day = by_day.get(entry.local_date)
        if day is None:
            by_day[entry.local_date] = [1, score, entry.intensity, score, score]
            continue
        day[0] += 1
        day[1] += score
        day[2] += entry.intensity
        day[3] = min(day[3], score)
        day[4] = max(day[4], score)
    return [
        {
            "local_date": local_date,
            "entries_count": count,
            "average_score": round(score / count, 2),
            "average_intensity": round(intensity / count, 2),
            "lowest_score": lowest,
            "highest_score": highest,
        }
        for local_date, (count, score, intensity, lowest, highest) in sorted(
            by_day.items()
        )
    ]


def mood_history(
    *,
    user: User,
    date_from: date,
    date_to: date,
    updated_since: datetime | None = None,
) -> dict[str, Any]:
    """The range, one aggregate per local day with entries (whole range), and
    the entries (newest first; with ``updated_since``, those changed since).
    Without ``updated_since`` the entries are the whole range, so the days are
    summed from them: one query, not two."""
    if updated_since is None:
        listed = mood_entry_rows(user=user, date_from=date_from, date_to=date_to).all()
        days = _mood_days_of(listed)
        return {
            "date_from": date_from,
            "date_to": date_to,
            "days": days,
            "entries": listed,
        }
    return {
        "date_from": date_from,
        "date_to": date_to,
        "days": mood_day_aggregates(user=user, date_from=date_from, date_to=date_to),
        "entries": mood_entry_list(
            user=user,
            date_from=date_from,
            date_to=date_to,
            updated_since=updated_since,
        ),
    }


def mood_calendar(*, user: User, month: date | None = None) -> dict[str, Any]:
    """One cell per local day of the month (by default the user's current local
    month), with that day's average mood score (None on days without entries)."""
    first = (month or local_today(user.timezone)).replace(day=1)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    by_day = {
        row["local_date"]: row
        for row in mood_day_aggregates(user=user, date_from=first, date_to=last)
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
    return {"month": f"{first.year:04d}-{first.month:02d}", "days": cells}


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


def daily_prompt(*, user: User) -> dict[str, Any]:
    """The user's local date and the prompt of that day in their locale."""
    today = local_today(user.timezone)
    return {
        "local_date": today,
        "prompt": prompt_for_day(locale=user.locale, day=today),
    }


# The rows ``for_user`` reads (live journal entries, never a deleted one's
# tombstone), counted in one statement rather than three round trips.
_COUNTS_SQL = """
SELECT (SELECT COUNT(*) FROM {journal} WHERE user_id = %s AND deleted_at IS NULL),
       (SELECT COUNT(*) FROM {gratitude} WHERE user_id = %s),
       (SELECT COUNT(*) FROM {mood} WHERE user_id = %s)
"""


def journal_counts(*, user: User) -> dict[str, int]:
    """The user's journal, gratitude and mood entry counts. One statement,
    prepared once per connection (``/users/me/stats`` runs it per request)."""
    sql = _COUNTS_SQL.format(
        journal=JournalEntry._meta.db_table,
        gratitude=GratitudeEntry._meta.db_table,
        mood=MoodEntry._meta.db_table,
    )
    with planned_once_cursor() as cursor:
        cursor.execute(sql, [user.pk] * 3)
        journal, gratitude, mood = cursor.fetchone()
    return {
        "journal_entries_count": journal,
        "gratitude_entries_count": gratitude,
        "mood_entries_count": mood,
    }


def mood_support(*, user: User, entry: MoodEntry) -> dict[str, Any] | None:
    """Crisis resources for a very low mood logged with high intensity, else None.

    Decided on the mood scale and intensity only: no text is scanned.
    """
    if (
        entry.mood != MoodEntry.Mood.VERY_LOW
        or entry.intensity < settings.JOURNAL_SUPPORT_MIN_INTENSITY
    ):
        return None
    return crisis_support(user=user)
