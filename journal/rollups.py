"""The per-day mood rollup (``MoodDay``): added to as moods are logged, and
rebuilt from the entries and their tags by ``manage.py rebuild_rollups``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.apps.registry import Apps
from django.db.models import Count, Sum

from kaya.rollups import Expected, RollupSpec, rollup_add

if TYPE_CHECKING:
    from journal.models import MoodEntry


def mood_day_add(
    *, entry: MoodEntry, emotions: Sequence[str], factors: Sequence[str]
) -> None:
    """Count a new mood entry and its (distinct) emotions and factors in its
    day's rollup. Call it in the transaction that creates the entry (two queries:
    the upsert locks the day's row until commit, so the tag counts read back
    from it cannot change under us)."""
    from journal.models import MoodDay

    row = rollup_add(
        MoodDay,
        keys={"user": entry.user_id, "local_date": entry.local_date},
        amounts={
            "entries_count": 1,
            "score_sum": entry.score,
            "intensity_sum": entry.intensity,
        },
        defaults={"tag_counts": {}},
        returning=("id", "tag_counts"),
    )
    if not emotions and not factors:
        return
    assert row is not None
    pk, stored = row
    counts: dict[str, dict[str, int]] = (
        json.loads(stored) if isinstance(stored, str) else dict(stored or {})
    )
    for kind, values in (("emotion", emotions), ("factor", factors)):
        if not values:
            continue
        per_kind = counts.setdefault(kind, {})
        for value in values:
            per_kind[value] = per_kind.get(value, 0) + 1
    MoodDay.objects.filter(pk=pk).update(tag_counts=counts)


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
