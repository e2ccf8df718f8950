"""Mood history reads its entries as prepared rows (``selectors.mood_entry_rows``,
``kaya.prepared``): they must answer what iterating the ORM selector
``mood_entry_list`` answers, row for row and field for field, with the same
JSON, on the embedded default and on PostgreSQL."""

import random
import uuid
from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine

from journal import selectors
from journal.models import MoodEntry
from journal.serializers import MoodEntryOutput
from journal.services import mood_entry_create
from journal.tests.factories import MoodEntryFactory

pytestmark = pytest.mark.django_db

LAST = date(2026, 6, 30)
FIELDS = selectors.mood_entry_rows.fields


def _state(entries):
    """Every field a row holds (the concrete ones and the tag lists), read from
    a row or an instance alike, and the entry's JSON."""
    return [
        (
            [getattr(entry, name) for name in FIELDS],
            entry.pk,
            dict(MoodEntryOutput(entry).data),
        )
        for entry in entries
    ]


def _populate(user, other_user, seed):
    rng = random.Random(seed)
    for offset in range(-3, 40):
        for owner in (user, other_user):
            for _ in range(rng.choice([0, 1, 2, 3])):
                day = LAST - timedelta(days=offset)
                entry = MoodEntryFactory(
                    user=owner,
                    mood=rng.choice(list(MoodEntry.SCORES)),
                    intensity=rng.randint(1, 10),
                    note=rng.choice(
                        ["", "A quiet walk.", "Slept badly; \u00e9t\u00e9."]
                    ),
                    client_id=rng.choice([None, uuid.UUID(int=rng.getrandbits(128))]),
                    logged_at=datetime.combine(day, time(rng.randint(0, 23)), UTC),
                    local_date=day,
                )
                MoodEntry.objects.filter(pk=entry.pk).update(
                    score=MoodEntry.SCORES[entry.mood]
                )
    # Entries with tags of both kinds, written through the service on LAST.
    for owner in (user, other_user):
        with time_machine.travel(datetime.combine(LAST, time(12), UTC), tick=False):
            mood_entry_create(
                user=owner,
                mood="low",
                intensity=7,
                emotions=["sad", "anxious", "calm"],
                factors=["work", "sleep"],
                note="Tags",
            )


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize(
    "span", [(0, 29), (0, 0), (5, 91), (-3, -1), (200, 210)], ids=str
)
def test_rows_answer_what_the_orm_selector_answers(user, other_user, seed, span):
    _populate(user, other_user, seed)
    date_from = LAST - timedelta(days=span[1])
    date_to = LAST - timedelta(days=span[0])

    for owner in (user, other_user):
        expected = list(
            selectors.mood_entry_list(user=owner, date_from=date_from, date_to=date_to)
        )
        read = selectors.mood_entry_rows(
            user=owner, date_from=date_from, date_to=date_to
        ).all()
        assert _state(read) == _state(expected)
        ids = [row.id for row in read]
        assert MoodEntry.objects.filter(pk__in=ids, user=owner).count() == len(ids)
    if span == (0, 29):
        assert len(expected) > 5


def test_rows_are_one_query_for_any_number_of_entries(
    user, other_user, django_assert_num_queries
):
    _populate(user, other_user, 3)

    with django_assert_num_queries(1):
        read = selectors.mood_entry_rows(
            user=user, date_from=date(2000, 1, 1), date_to=date(2100, 1, 1)
        ).all()

    assert len(read) == MoodEntry.objects.filter(user=user).count()
