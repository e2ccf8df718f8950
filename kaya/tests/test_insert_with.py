"""kaya.db.insert_with: a row, its children and a rollup's upsert written by one
statement on PostgreSQL, with the values the ORM would have written, and all
or nothing without a transaction around it."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.tests.factories import UserFactory
from journal.models import MoodDay, MoodEntry, MoodTag
from journal.rollups import mood_day_statement
from kaya.db import insert_with, writes_in_one_statement

pytestmark = pytest.mark.postgres

DAY = date(2026, 11, 20)


def _entry(user, note="A quiet evening walk."):
    entry = MoodEntry(
        user=user,
        mood="good",
        score=4,
        intensity=6,
        note=note,
        logged_at=timezone.now(),
        local_date=DAY,
    )
    tags = [
        MoodTag(entry=entry, user=user, kind=kind, value=value, local_date=DAY)
        for kind, value in (
            ("emotion", "calm"),
            ("emotion", "proud"),
            ("factor", "sleep"),
        )
    ]
    return entry, tags


def _rollup(entry):
    return mood_day_statement(
        entry=entry, emotions=["calm", "proud"], factors=["sleep"]
    )


@pytest.mark.django_db
def test_one_statement_writes_what_the_orm_would():
    assert writes_in_one_statement()
    user = UserFactory()
    entry, tags = _entry(user)

    with CaptureQueriesContext(connection) as queries:
        insert_with(entry, children=tags, parent="entry", then=[_rollup(entry)])

    assert len(queries.captured_queries) == 1
    assert entry.pk is not None and entry._state.adding is False
    assert all(tag.entry_id == entry.pk for tag in tags)
    stored = MoodEntry.objects.get(pk=entry.pk)
    # auto_now fields set, the note encrypted at rest and read back.
    assert stored.created_at == entry.created_at
    assert stored.updated_at == entry.updated_at
    assert stored.created_at.tzinfo is not None
    assert stored.note == "A quiet evening walk."
    with connection.cursor() as cursor:
        cursor.execute("SELECT note FROM journal_moodentry WHERE id = %s", [entry.pk])
        (raw,) = cursor.fetchone()
    assert "quiet" not in raw
    # The children in their order, each pointing at the new row.
    assert list(
        MoodTag.objects.filter(entry=entry).order_by("id").values_list("kind", "value")
    ) == [("emotion", "calm"), ("emotion", "proud"), ("factor", "sleep")]
    day = MoodDay.objects.get(user=user, local_date=DAY)
    assert (day.entries_count, day.score_sum, day.intensity_sum) == (1, 4, 6)
    assert day.tag_counts == {
        "emotion": {"calm": 1, "proud": 1},
        "factor": {"sleep": 1},
    }

    second, more = _entry(user, note="")
    insert_with(second, children=more, parent="entry", then=[_rollup(second)])

    day.refresh_from_db()
    assert (day.entries_count, day.score_sum) == (2, 8)
    assert day.tag_counts["emotion"] == {"calm": 2, "proud": 2}
    assert MoodEntry.objects.get(pk=second.pk).note == ""


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_a_failing_part_writes_nothing():
    # Autocommit, as the service runs it: the statement is all or nothing.
    user = UserFactory()
    entry, tags = _entry(user)
    failing = ("UPDATE accounts_user SET email = NULL WHERE id = %s", [user.pk])

    with pytest.raises(IntegrityError):
        insert_with(
            entry, children=tags, parent="entry", then=[_rollup(entry), failing]
        )

    assert not MoodEntry.objects.filter(user=user).exists()
    assert not MoodTag.objects.filter(user=user).exists()
    assert not MoodDay.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_children_must_name_their_key_to_the_row():
    user = UserFactory()
    entry, tags = _entry(user)

    with pytest.raises(ValueError, match=r"MoodTag\.user is not a key to the row"):
        insert_with(entry, children=tags, parent="user")

    assert entry.pk is None
    assert not MoodEntry.objects.filter(user=user).exists()
