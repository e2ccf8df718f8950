"""Where mood insights read the user's data: a small registry.

The coaching app sits below wellness, so it cannot import practice sessions;
wellness registers a source from its ``AppConfig.ready()`` instead (the same
pattern as the privacy registry). A source returns METADATA only: dates,
scores, durations, counts; never private text.

A data point is ``{"ref": "<kind>:<id>", "kind", "local_date": "YYYY-MM-DD",
...}`` with numbers or short labels beside it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from accounts.models import User

Source = Callable[["User", date, date], list[dict[str, Any]]]

_sources: dict[str, Source] = {}
POINT_FIELDS = (
    "ref",
    "kind",
    "local_date",
    "mood",
    "score",
    "intensity",
    "session_type",
    "duration_seconds",
)


def register(name: str, source: Source) -> None:
    _sources[name] = source


def data_points(user: User, date_from: date, date_to: date) -> list[dict[str, Any]]:
    points: list[dict[str, Any]] = []
    for name in sorted(_sources):
        points.extend(_sources[name](user, date_from, date_to))
    # One shape for every kind: what a kind lacks is null.
    return sorted(
        ({**dict.fromkeys(POINT_FIELDS), **point} for point in points),
        key=lambda p: (p["local_date"], p["ref"]),
    )


def journal_points(user: User, date_from: date, date_to: date) -> list[dict[str, Any]]:
    """Moods (score, intensity, mood) and journal entries (date, word count
    only): the journal app is below coaching, so it is read directly."""
    from journal.models import JournalEntry, MoodEntry

    points: list[dict[str, Any]] = [
        {
            "ref": f"mood:{pk}",
            "kind": "mood",
            "local_date": day.isoformat(),
            "mood": mood,
            "score": score,
            "intensity": intensity,
        }
        for pk, day, mood, score, intensity in MoodEntry.objects.for_user(user)
        .filter(local_date__range=(date_from, date_to))
        .values_list("id", "local_date", "mood", "score", "intensity")
    ]
    points += [
        {"ref": f"journal:{pk}", "kind": "journal", "local_date": day.isoformat()}
        for pk, day in JournalEntry.objects.for_user(user)
        .filter(local_date__range=(date_from, date_to))
        .values_list("id", "local_date")
    ]
    return points


register("journal", journal_points)
