"""Service rules and the domain events sent after commit."""

from __future__ import annotations

import logging
import uuid
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from journal import events, services
from journal.exceptions import (
    EntryMomentError,
    GratitudeItemCountError,
    MoodValueError,
    UnknownMoodEntryError,
)
from journal.models import GratitudeEntry, JournalEntry, JournalTag, MoodEntry, MoodTag
from journal.serializers import MoodEntryCreatedOutput
from journal.tests.factories import CrisisResourceFactory, MoodEntryFactory
from journal.text import normalise_tag, normalise_tags
from kaya.exceptions import api_exception_handler

pytestmark = pytest.mark.django_db

UTC = ZoneInfo("UTC")
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


class Recorder:
    def __init__(self):
        self.calls = []

    def __call__(self, sender, **kwargs):
        kwargs.pop("signal")
        self.calls.append((sender, kwargs))


@pytest.fixture
def recorder():
    recorder = Recorder()
    for signal in (events.entry_created, events.gratitude_created, events.mood_logged):
        signal.connect(recorder, weak=False)
    yield recorder
    for signal in (events.entry_created, events.gratitude_created, events.mood_logged):
        signal.disconnect(recorder)


@time_machine.travel(NOW, tick=False)
def test_entry_created_is_sent_after_commit(
    user, recorder, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        entry, _ = services.journal_entry_create(user=user, body="x")
    assert recorder.calls == []

    for callback in callbacks:
        callback()

    assert recorder.calls == [
        (
            JournalEntry,
            {
                "user_id": user.pk,
                "entry_id": entry.pk,
                "local_date": date(2026, 11, 20),
            },
        )
    ]


@time_machine.travel(NOW, tick=False)
def test_gratitude_created_and_mood_logged_events(
    user, recorder, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        gratitude, _ = services.gratitude_entry_create(user=user, items=["x"])
        mood = services.mood_entry_create(user=user, mood="very_low", intensity=9).entry

    assert [kwargs for _, kwargs in recorder.calls] == [
        {
            "user_id": user.pk,
            "gratitude_id": gratitude.pk,
            "local_date": date(2026, 11, 20),
        },
        {
            "user_id": user.pk,
            "mood_entry_id": mood.pk,
            "local_date": date(2026, 11, 20),
            "mood": "very_low",
            "score": 1,
            "intensity": 9,
        },
    ]


def test_no_event_when_the_transaction_rolls_back(
    user, recorder, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.journal_entry_create(user=user, body="x")
        raise RuntimeError("boom")

    assert recorder.calls == []
    assert JournalEntry.objects.count() == 0


def test_a_failing_subscriber_does_not_fail_the_write_or_the_others(
    user, recorder, django_capture_on_commit_callbacks, caplog
):
    def broken(sender, **kwargs):
        raise ValueError("subscriber bug")

    events.entry_created.connect(broken, weak=False)
    try:
        with (
            caplog.at_level(logging.ERROR, logger="django.dispatch"),
            django_capture_on_commit_callbacks(execute=True),
        ):
            services.journal_entry_create(user=user, body="very private words")
    finally:
        events.entry_created.disconnect(broken)

    assert JournalEntry.objects.count() == 1
    assert len(recorder.calls) == 1
    assert [(r.name, r.exc_info[0]) for r in caplog.records] == [
        ("django.dispatch", ValueError)
    ]
    assert "very private words" not in caplog.text


@pytest.mark.parametrize(
    "mood, score",
    [("very_low", 1), ("low", 2), ("neutral", 3), ("good", 4), ("great", 5)],
)
def test_mood_score_is_derived_from_the_mood(user, mood, score):
    entry = services.mood_entry_create(user=user, mood=mood, intensity=5).entry

    assert MoodEntry.objects.get(pk=entry.pk).score == score


def test_mood_tags_are_deduplicated_one_row_each(user):
    entry = services.mood_entry_create(
        user=user,
        mood="low",
        intensity=5,
        emotions=["sad", "tired", "sad"],
        factors=["work"],
    ).entry

    assert list(entry.tags.values_list("kind", "value")) == [
        ("emotion", "sad"),
        ("emotion", "tired"),
        ("factor", "work"),
    ]
    assert MoodTag.objects.filter(user=user).count() == 3


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"mood": "meh"}, "mood"),
        ({"intensity": 0}, "intensity"),
        ({"emotions": ["zen"]}, "emotions"),
        ({"factors": ["luck"]}, "factors"),
    ],
)
def test_mood_service_refuses_what_the_serializer_would(user, kwargs, field):
    with pytest.raises(MoodValueError) as excinfo:
        services.mood_entry_create(
            **{"user": user, "mood": "good", "intensity": 5, **kwargs}
        )

    assert excinfo.value.code == "validation_error"
    assert list(excinfo.value.fields) == [field]
    assert MoodEntry.objects.count() == 0


def test_journal_service_refuses_another_users_mood_entry(user, other_user):
    theirs = MoodEntryFactory(user=other_user)

    with pytest.raises(UnknownMoodEntryError) as excinfo:
        services.journal_entry_create(user=user, body="x", mood_entry=theirs)
    assert excinfo.value.fields == {"mood_entry_id": ["Unknown mood entry."]}
    assert JournalEntry.objects.count() == 0


def test_gratitude_service_refuses_zero_or_four_items(user):
    for items in ([], ["a", "b", "c", "d"]):
        with pytest.raises(GratitudeItemCountError):
            services.gratitude_entry_create(user=user, items=items)
    assert GratitudeEntry.objects.count() == 0


@time_machine.travel(NOW, tick=False)
def test_entry_moment_rules():
    assert services.entry_moment(None, field="f") == NOW
    assert services.entry_moment(
        datetime(2026, 11, 13, 12, 0, tzinfo=UTC), field="f"
    ) == datetime(2026, 11, 13, 12, 0, tzinfo=UTC)
    with pytest.raises(EntryMomentError):
        services.entry_moment(datetime(2026, 11, 13, 11, 59, tzinfo=UTC), field="f")
    with pytest.raises(EntryMomentError):
        services.entry_moment(datetime(2026, 11, 20, 12, 1, 1, tzinfo=UTC), field="f")
    with pytest.raises(EntryMomentError):
        services.entry_moment(datetime(2026, 11, 20, 11, 0), field="f")


def test_journal_tags_are_stored_one_row_each_with_the_owner(user):
    entry, _ = services.journal_entry_create(
        user=user, body="x", tags=["Morning Pages", "morning-pages", "Gratitude"]
    )

    assert list(
        JournalTag.objects.filter(entry=entry).values_list("name", "user_id")
    ) == [("morning-pages", user.pk), ("gratitude", user.pk)]


@pytest.mark.parametrize(
    "raw, tag",
    [
        ("Self Care", "self-care"),
        ("#self_care", "self-care"),
        ("  ÉTÉ  ", "été"),
        ("\uff46\uff55\uff4c\uff4c", "full"),  # full-width letters
        ("a--b", "a--b"),
    ],
)
def test_normalise_tag(raw, tag):
    assert normalise_tag(raw) == tag


@pytest.mark.parametrize("raw", ["", "#", "  ", "a/b", "<b>", "x" * 33])
def test_normalise_tag_refuses(raw):
    with pytest.raises(ValidationError):
        normalise_tag(raw)


def test_normalise_tags_counts_after_deduplication():
    assert normalise_tags(["A", "a", "#a"]) == ["a"]
    with pytest.raises(ValidationError):
        normalise_tags([f"t{i}" for i in range(11)])


@pytest.mark.postgres
def test_replacing_tags_locks_the_entry_row(user):
    entry, _ = services.journal_entry_create(user=user, body="x", tags=["a"])

    with CaptureQueriesContext(connection) as queries:
        services.journal_entry_update(entry=entry, tags=["a", "b"])

    locks = [q["sql"] for q in queries.captured_queries if "FOR UPDATE" in q["sql"]]
    assert len(locks) == 1
    assert '"journal_journalentry"' in locks[0]
    assert list(entry.tags.values_list("name", flat=True)) == ["a", "b"]


def test_mood_create_returns_the_entry_with_its_tags_and_the_support_block(
    user, django_assert_num_queries
):
    CrisisResourceFactory(locale="en", name="Line", phone="116 123")

    logged = services.mood_entry_create(
        user=user,
        mood="very_low",
        intensity=9,
        emotions=["sad", "tired"],
        factors=["sleep"],
    )

    assert logged.created is True
    assert logged.support["locale"] == "en"
    assert [r.name for r in logged.support["resources"]] == ["Line"]
    # The tags come prefetched: rendering the answer runs no query.
    with django_assert_num_queries(0):
        body = MoodEntryCreatedOutput(logged).data
    assert (body["id"], body["emotions"], body["factors"]) == (
        logged.entry.pk,
        ["sad", "tired"],
        ["sleep"],
    )
    assert body["support"]["resources"][0]["phone"] == "116 123"


def test_mood_create_has_no_support_block_for_an_ordinary_mood(user):
    CrisisResourceFactory(locale="en")

    logged = services.mood_entry_create(user=user, mood="good", intensity=9)

    assert logged.support is None
    assert MoodEntryCreatedOutput(logged).data["support"] is None


def test_a_retried_mood_create_returns_the_first_entry_and_created_false(user):
    client_id = uuid.uuid4()
    first = services.mood_entry_create(
        user=user, mood="low", intensity=3, emotions=["sad"], client_id=client_id
    )

    again = services.mood_entry_create(
        user=user, mood="great", intensity=8, client_id=client_id
    )

    assert (again.entry.pk, again.created) == (first.entry.pk, False)
    assert MoodEntryCreatedOutput(again).data["emotions"] == ["sad"]
    assert MoodEntry.objects.count() == 1


@pytest.mark.parametrize(
    "exc, fields",
    [
        (UnknownMoodEntryError(), {"mood_entry_id": ["Unknown mood entry."]}),
        (GratitudeItemCountError(), {"items": ["Give one to three items."]}),
        (MoodValueError("mood", "Unknown mood."), {"mood": ["Unknown mood."]}),
        (
            EntryMomentError("occurred_at", "Cannot be in the future."),
            {"occurred_at": ["Cannot be in the future."]},
        ),
    ],
)
def test_service_refusals_answer_like_a_serializers_400(exc, fields):
    response = api_exception_handler(exc, {})

    assert response.status_code == 400
    assert response.data == {
        "error": {
            "code": "validation_error",
            "message": "The request is not valid; see fields.",
            "fields": fields,
        }
    }
