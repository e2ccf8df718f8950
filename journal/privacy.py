"""The journal app's part of the privacy export, account erasure and user stats."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction

from journal.models import GratitudeEntry, JournalEntry, MoodDay, MoodEntry
from journal.selectors import (
    gratitude_entry_list,
    journal_counts,
    journal_entry_list,
    mood_entry_list,
)
from kaya.rollups import user_reads_changed
from kaya.timeutils import instant_text

if TYPE_CHECKING:
    from accounts.models import User


def _iso(value: Any) -> str | None:
    if isinstance(value, datetime):
        return instant_text(value)
    return value.isoformat() if value is not None else None


def journal_export(user: User) -> dict[str, list[dict[str, Any]]]:
    """Everything the user wrote, decrypted, oldest first."""
    return {
        "journal_entries": [
            {
                "id": e.pk,
                "title": e.title,
                "body": e.body,
                "tags": e.tag_names,
                "prompt": e.prompt.text if e.prompt else None,
                "mood_entry_id": e.mood_entry_id,
                "occurred_at": _iso(e.occurred_at),
                "local_date": _iso(e.local_date),
                "created_at": _iso(e.created_at),
                "updated_at": _iso(e.updated_at),
            }
            for e in journal_entry_list(user=user).order_by("occurred_at", "id")
        ],
        "gratitude_entries": [
            {
                "id": g.pk,
                "items": g.items,
                "occurred_at": _iso(g.occurred_at),
                "local_date": _iso(g.local_date),
                "created_at": _iso(g.created_at),
            }
            for g in gratitude_entry_list(user=user).order_by("occurred_at", "id")
        ],
        "mood_entries": [
            {
                "id": m.pk,
                "mood": m.mood,
                "score": m.score,
                "intensity": m.intensity,
                "emotions": m.emotion_values,
                "factors": m.factor_values,
                "note": m.note,
                "logged_at": _iso(m.logged_at),
                "local_date": _iso(m.local_date),
                "created_at": _iso(m.created_at),
            }
            for m in mood_entry_list(user=user).order_by("logged_at", "id")
        ],
    }


@transaction.atomic
def journal_erase(user: User) -> None:
    """Delete every journal, gratitude and mood entry of the user (tags cascade)."""
    # Tombstones of deleted entries too: erasure leaves nothing behind.
    JournalEntry.objects.for_user_sync(user).delete()
    GratitudeEntry.objects.for_user(user).delete()
    MoodEntry.objects.for_user(user).delete()
    MoodDay.objects.for_user(user).delete()
    user_reads_changed(user.pk)


def journal_stats(user: User) -> dict[str, int]:
    return journal_counts(user=user)
