"""The hot output serializers write their dicts directly (no per-field DRF
lookups); these tests hold them to the JSON DRF's generic path writes."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from rest_framework import serializers

from journal import selectors
from journal.models import JournalTag, MoodTag
from journal.serializers import (
    JournalEntryOutput,
    MoodEntryOutput,
    MoodHistoryOutput,
)
from journal.services import journal_entry_delete
from journal.tests.factories import JournalEntryFactory, MoodEntryFactory, PromptFactory
from kaya.renderers import ORJSONRenderer

pytestmark = pytest.mark.django_db


def _json(data):
    return ORJSONRenderer().render(data)


def test_journal_entry_output_is_drfs_json(user):
    mood = MoodEntryFactory(user=user)
    tagged = JournalEntryFactory(
        user=user, prompt=PromptFactory(), mood_entry=mood, client_id=uuid.uuid4()
    )
    for name in ("zeta", "alpha", "mid"):
        JournalTag.objects.create(entry=tagged, user=user, name=name)
    JournalEntryFactory(user=user, title="")
    journal_entry_delete(entry=JournalEntryFactory(user=user))

    rows = list(selectors.journal_entry_list(user=user, include_deleted=True))
    assert len(rows) == 3
    for row in rows:
        generic = serializers.ModelSerializer.to_representation(
            JournalEntryOutput(), row
        )
        assert _json(JournalEntryOutput(row).data) == _json(generic)
        # Without the selector's annotation (a freshly written entry), the same.
        fresh = type(row).objects.get(pk=row.pk)
        assert _json(JournalEntryOutput(fresh).data) == _json(generic)
    assert [r.tag_names for r in rows if r.pk == tagged.pk] == [
        ["zeta", "alpha", "mid"]
    ]


def test_journal_page_rows_are_drfs_json(user, other_user, auth_client):
    """The journal page reads named tuples (``selectors.journal_entry_rows``),
    not model instances: the same JSON, byte for byte, tombstones included."""
    mood = MoodEntryFactory(user=user)
    tagged = JournalEntryFactory(
        user=user, prompt=PromptFactory(), mood_entry=mood, client_id=uuid.uuid4()
    )
    for name in ("zeta", "alpha", "mid"):
        JournalTag.objects.create(entry=tagged, user=user, name=name)
    JournalEntryFactory(user=user, title="")
    journal_entry_delete(entry=JournalEntryFactory(user=user))
    JournalEntryFactory(user=other_user)

    pages = []
    for filters in ({}, {"include_deleted": True}):
        models = list(selectors.journal_entry_list(user=user, **filters))
        rows = selectors.journal_entry_rows(user=user, **filters).all()

        assert [row.pk for row in rows] == [model.pk for model in models]
        generic = [
            serializers.ModelSerializer.to_representation(JournalEntryOutput(), m)
            for m in models
        ]
        for row, expected in zip(rows, generic, strict=True):
            assert _json(JournalEntryOutput(row).data) == _json(expected)
        assert _json(JournalEntryOutput(rows, many=True).data) == _json(generic)
        pages.append(generic)
    assert [len(page) for page in pages] == [2, 3]
    body = auth_client.get("/api/v1/journal").content
    assert _json(pages[0])[1:-1] in body


def test_mood_entry_output_is_drfs_json(user):
    entry = MoodEntryFactory(user=user, note="private", client_id=uuid.uuid4())
    for kind, value in (
        ("factor", "sleep"),
        ("emotion", "calm"),
        ("factor", "work"),
        ("emotion", "anxious"),
    ):
        MoodTag.objects.create(
            entry=entry, user=user, kind=kind, value=value, local_date=entry.local_date
        )
    MoodEntryFactory(user=user, note="")

    rows = list(selectors.mood_entry_list(user=user))
    assert len(rows) == 2
    for row in rows:
        generic = serializers.ModelSerializer.to_representation(MoodEntryOutput(), row)
        assert _json(MoodEntryOutput(row).data) == _json(generic)
        fresh = type(row).objects.get(pk=row.pk)
        assert _json(MoodEntryOutput(fresh).data) == _json(generic)
    mine = next(r for r in rows if r.pk == entry.pk)
    assert MoodEntryOutput(mine).data["emotions"] == ["calm", "anxious"]
    assert MoodEntryOutput(mine).data["factors"] == ["sleep", "work"]


def test_mood_history_output_is_drfs_json(user):
    entry = MoodEntryFactory(user=user, note="private", client_id=uuid.uuid4())
    MoodTag.objects.create(
        entry=entry,
        user=user,
        kind="emotion",
        value="calm",
        local_date=entry.local_date,
    )
    MoodEntryFactory(user=user, mood="very_low", intensity=9)
    day = entry.local_date

    for history in (
        selectors.mood_history(user=user, date_from=day, date_to=day),
        selectors.mood_history(
            user=user, date_from=date(2001, 1, 1), date_to=date(2001, 1, 30)
        ),
    ):
        generic = serializers.Serializer.to_representation(MoodHistoryOutput(), history)
        assert _json(MoodHistoryOutput(history).data) == _json(generic)
    full = MoodHistoryOutput(
        selectors.mood_history(user=user, date_from=day, date_to=day)
    ).data
    assert [len(full["days"]), len(full["entries"])] == [1, 2]


def test_mood_trends_output_is_drfs_json():
    from wellness.analytics_serializers import MoodTrendsOutput

    data = {
        "date_from": date(2026, 1, 1),
        "date_to": date(2026, 12, 31),
        "granularity": "day",
        "buckets": [
            {
                "bucket": date(2026, 1, 1),
                "average_score": 3.5,
                "average_intensity": 6.0,
                "entries_count": 2,
                "top_emotions": [{"value": "calm", "count": 2}],
                "top_factors": [],
            }
        ],
        "sessions_mood": [
            {
                "type": "meditation",
                "sessions_count": 3,
                "average_mood_before": 2.33,
                "average_mood_after": None,
                "average_mood_change": 1.0,
            }
        ],
    }
    generic = serializers.Serializer.to_representation(MoodTrendsOutput(), data)
    assert _json(MoodTrendsOutput(data).data) == _json(generic)
