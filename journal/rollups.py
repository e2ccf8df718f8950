"""The per-day mood rollup (``MoodDay``): added to as moods are logged, and
rebuilt from the entries and their tags by ``manage.py rebuild_rollups``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.apps.registry import Apps
from django.db.models import Count, Sum

from kaya.db import Statement
from kaya.rollups import (
    Expected,
    RollupAddition,
    RollupSpec,
    rollup_add,
    rollup_statement,
    rollup_written,
)

if TYPE_CHECKING:
    from journal.models import MoodEntry


def _mood_day_addition(
    entry: MoodEntry, emotions: Sequence[str], factors: Sequence[str]
) -> RollupAddition:
    return {
        "keys": {"user": entry.user_id, "local_date": entry.local_date},
        "amounts": {
            "entries_count": 1,
            "score_sum": entry.score,
            "intensity_sum": entry.intensity,
        },
        "json_counts": {
            "tag_counts": {
                "emotion": dict.fromkeys(emotions, 1),
                "factor": dict.fromkeys(factors, 1),
            }
        },
    }


def mood_day_add(
    *, entry: MoodEntry, emotions: Sequence[str], factors: Sequence[str]
) -> None:
    """Count a new mood entry and its (distinct) emotions and factors in its
    day's rollup. Call it in the transaction that creates the entry (one
    upsert, the tag counts added in the same statement)."""
    from journal.models import MoodDay

    rollup_add(MoodDay, **_mood_day_addition(entry, emotions, factors))


def mood_day_statement(
    *, entry: MoodEntry, emotions: Sequence[str], factors: Sequence[str]
) -> Statement:
    """``mood_day_add``'s upsert, not run: for the statement that inserts the
    entry (``kaya.db.insert_with``); its caller then calls
    ``mood_day_written(entry)``."""
    from journal.models import MoodDay

    return rollup_statement(MoodDay, **_mood_day_addition(entry, emotions, factors))


def mood_day_written(entry: MoodEntry) -> None:
    """The entry's day was written by ``mood_day_statement``'s upsert."""
    rollup_written({"user": entry.user_id})


def _mood_days_expected(apps: Apps, user_ids: Sequence[int]) -> Expected:
    entry = apps.get_model("journal", "MoodEntry")
    tag = apps.get_model("journal", "MoodTag")
    days: Expected = {
        (row["user_id"], row["local_date"]): {
            "entries_count": row["n"],
            "score_sum": row["score"],
            "intensity_sum": row["intensity"],
            "tag_counts": {},
        }
        for row in entry._default_manager.filter(user_id__in=user_ids)
        .values("user_id", "local_date")
        .annotate(n=Count("id"), score=Sum("score"), intensity=Sum("intensity"))
        .order_by()
    }
    tag_rows = (
        tag._default_manager.filter(user_id__in=user_ids)
        .values("user_id", "local_date", "kind", "value")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in tag_rows:
        day: dict[str, Any] = days[(row["user_id"], row["local_date"])]
        day["tag_counts"].setdefault(row["kind"], {})[row["value"]] = row["n"]
    return days


MOOD_DAYS = RollupSpec(
    label="journal.MoodDay",
    key_fields=("user_id", "local_date"),
    value_fields=("entries_count", "score_sum", "intensity_sum", "tag_counts"),
    expected=_mood_days_expected,
)
