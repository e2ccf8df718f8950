"""The journal's part of the privacy export, erasure and user stats."""

from __future__ import annotations

import pytest
from django.apps import apps

from accounts.registry import privacy, stats
from journal.models import GratitudeEntry, JournalEntry, JournalTag, MoodEntry, MoodTag
from journal.services import journal_entry_delete
from journal.tests.factories import (
    GratitudeEntryFactory,
    JournalEntryFactory,
    MoodEntryFactory,
    PromptFactory,
)

pytestmark = pytest.mark.django_db


def test_every_journal_model_is_covered_or_excluded():
    covered = privacy.covered_models() | set(privacy.excluded)

    for model in apps.get_app_config("journal").get_models():
        assert model._meta.label in covered, model._meta.label
    assert set(privacy.handlers["journal"].models) == {
        "journal.JournalEntry",
        "journal.JournalTag",
        "journal.GratitudeEntry",
        "journal.MoodEntry",
        "journal.MoodTag",
        "journal.MoodDay",
    }
    assert set(privacy.excluded) >= {"journal.Prompt", "journal.CrisisResource"}


def test_export_holds_my_entries_decrypted_and_nobody_elses(user, other_user):
    prompt = PromptFactory(text="Prompt?")
    mood = MoodEntryFactory(user=user, mood="low", note="tired")
    MoodTag.objects.create(
        entry=mood, user=user, kind="factor", value="sleep", local_date=mood.local_date
    )
    entry = JournalEntryFactory(
        user=user, title="T", body="B", prompt=prompt, mood_entry=mood
    )
    JournalTag.objects.create(entry=entry, user=user, name="night")
    GratitudeEntryFactory(user=user, items=["friends"])
    JournalEntryFactory(user=other_user, body="other")
    MoodEntryFactory(user=other_user)

    data = privacy.handlers["journal"].export(user)

    assert [
        (e["id"], e["title"], e["body"], e["tags"], e["prompt"], e["mood_entry_id"])
        for e in data["journal_entries"]
    ] == [(entry.pk, "T", "B", ["night"], "Prompt?", mood.pk)]
    assert [g["items"] for g in data["gratitude_entries"]] == [["friends"]]
    assert [
        (m["mood"], m["note"], m["emotions"], m["factors"])
        for m in data["mood_entries"]
    ] == [("low", "tired", [], ["sleep"])]
    # Instants in the one REST format (UTC, "Z"); local dates stay plain dates.
    exported = data["journal_entries"][0]
    assert exported["occurred_at"] == entry.occurred_at.isoformat().replace(
        "+00:00", "Z"
    )
    assert exported["local_date"] == entry.local_date.isoformat()


def test_erase_deletes_my_rows_only(user, other_user):
    mood = MoodEntryFactory(user=user)
    entry = JournalEntryFactory(user=user, mood_entry=mood)
    JournalTag.objects.create(entry=entry, user=user, name="x")
    GratitudeEntryFactory(user=user)
    # A deleted entry's tombstone goes too.
    journal_entry_delete(entry=JournalEntryFactory(user=user))
    kept = JournalEntryFactory(user=other_user)
    kept_mood = MoodEntryFactory(user=other_user)

    privacy.handlers["journal"].erase(user)

    assert list(JournalEntry.objects.values_list("id", flat=True)) == [kept.pk]
    assert list(MoodEntry.objects.values_list("id", flat=True)) == [kept_mood.pk]
    assert GratitudeEntry.objects.count() == 0
    assert JournalTag.objects.count() == 0


def test_stats_count_my_entries(user, other_user):
    JournalEntryFactory.create_batch(2, user=user)
    GratitudeEntryFactory(user=user)
    MoodEntryFactory.create_batch(3, user=user)
    # Neither a deleted entry's tombstone nor another user's rows count.
    journal_entry_delete(entry=JournalEntryFactory(user=user))
    JournalEntryFactory(user=other_user)
    GratitudeEntryFactory(user=other_user)
    MoodEntryFactory(user=other_user)

    totals = stats.collect(user)

    assert {
        k: totals[k]
        for k in (
            "journal_entries_count",
            "gratitude_entries_count",
            "mood_entries_count",
        )
    } == {
        "journal_entries_count": 2,
        "gratitude_entries_count": 1,
        "mood_entries_count": 3,
    }
