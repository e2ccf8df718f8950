"""``kaya.rollups.rollup_add`` with ``json_counts``: nested counters in a JSON
column added in the upsert itself, on the embedded default and on PostgreSQL
(the statement branches on the backend)."""

from datetime import date

import pytest
from django.db import connection

from journal.models import MoodDay
from kaya.rollups import rollup_add

pytestmark = pytest.mark.django_db

DAY = date(2026, 4, 15)


def _add(user, day=DAY, **groups):
    rollup_add(
        MoodDay,
        keys={"user": user.pk, "local_date": day},
        amounts={"entries_count": 1, "score_sum": 4, "intensity_sum": 5},
        json_counts={"tag_counts": groups},
    )


def _stored(user, day=DAY):
    return MoodDay.objects.values_list(
        "entries_count", "score_sum", "intensity_sum", "tag_counts"
    ).get(user=user, local_date=day)


def test_a_new_row_stores_the_counts_as_given_without_empty_groups(user):
    _add(user, emotion={"calm": 1, "sad": 2}, factor={})

    assert _stored(user) == (1, 4, 5, {"emotion": {"calm": 1, "sad": 2}})


def test_a_new_row_without_counts_stores_an_empty_object(user):
    _add(user, emotion={}, factor={})

    assert _stored(user) == (1, 4, 5, {})


def test_counts_add_to_stored_keys_and_create_missing_keys_and_groups(user):
    _add(user, emotion={"calm": 1})
    _add(user, emotion={"calm": 1, "sad": 1}, factor={})
    _add(user, emotion={"calm": 3}, factor={"work": 1, "sleep": 2})

    assert _stored(user) == (
        3,
        12,
        15,
        {"emotion": {"calm": 5, "sad": 1}, "factor": {"work": 1, "sleep": 2}},
    )


def test_an_addition_without_counts_keeps_the_stored_counts(user):
    _add(user, factor={"work": 2})
    _add(user, emotion={}, factor={})

    assert _stored(user) == (2, 8, 10, {"factor": {"work": 2}})


def test_other_days_and_other_users_rows_are_untouched(user, other_user):
    other_day = date(2026, 4, 14)
    _add(user, other_day, emotion={"calm": 7})
    _add(other_user, emotion={"calm": 9})

    _add(user, emotion={"calm": 1})

    assert _stored(user) == (1, 4, 5, {"emotion": {"calm": 1}})
    assert _stored(user, other_day) == (1, 4, 5, {"emotion": {"calm": 7}})
    assert _stored(other_user) == (1, 4, 5, {"emotion": {"calm": 9}})


def test_keys_are_parameters_not_sql(user):
    key = "calm'); DROP TABLE journal_moodday; --"
    _add(user, emotion={key: 1})
    _add(user, emotion={key: 1})

    assert _stored(user)[3] == {"emotion": {key: 2}}


def test_a_key_sqlite_cannot_address_is_refused_there(user):
    if connection.vendor != "sqlite":
        _add(user, emotion={'say "hi"': 1})
        _add(user, emotion={'say "hi"': 1})
        assert _stored(user)[3] == {"emotion": {'say "hi"': 2}}
        return
    _add(user, emotion={"calm": 1})
    with pytest.raises(ValueError, match="Unsupported JSON key"):
        _add(user, emotion={'say "hi"': 1})
    assert _stored(user) == (1, 4, 5, {"emotion": {"calm": 1}})
