"""The /api/v1/journal endpoints."""

from __future__ import annotations

import logging
import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from cryptography.fernet import Fernet
from django.utils import timezone

from journal import selectors
from journal.models import (
    GratitudeEntry,
    JournalEntry,
    JournalTag,
    MoodEntry,
    MoodTag,
)
from journal.serializers import MoodEntryOutput
from journal.tests.conftest import FreshTokenClient
from journal.tests.factories import (
    CrisisResourceFactory,
    GratitudeEntryFactory,
    JournalEntryFactory,
    MoodEntryFactory,
    PromptFactory,
)
from kaya.db import writes_in_one_statement

pytestmark = pytest.mark.django_db

UTC = ZoneInfo("UTC")
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def validation_fields(response) -> dict:
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    return error["fields"]


def journal_entry(user, *, tag_names=(), **kwargs):
    entry = JournalEntryFactory(user=user, **kwargs)
    for name in tag_names:
        JournalTag.objects.create(entry=entry, user=user, name=name)
    return entry


# --- journal entries: create -------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_create_journal_entry_returns_the_entry(auth_client, user):
    prompt = PromptFactory(text="What are you proud of?")
    mood = MoodEntryFactory(user=user)

    response = auth_client.post(
        "/api/v1/journal",
        {
            "title": "  Tuesday ",
            "body": "A good day\r\nat the lake.",
            "tags": ["Self Care", "#walks", "self_care"],
            "prompt_id": prompt.pk,
            "mood_entry_id": mood.pk,
        },
    )

    assert response.status_code == 201, response.content
    body = response.json()
    entry = JournalEntry.objects.get()
    assert body == {
        "id": entry.pk,
        "title": "Tuesday",
        "body": "A good day\nat the lake.",
        "tags": ["self-care", "walks"],
        "prompt": {"id": prompt.pk, "text": "What are you proud of?"},
        "mood_entry_id": mood.pk,
        "client_id": None,
        "occurred_at": "2026-11-20T12:00:00Z",
        "local_date": "2026-11-20",
        "created_at": "2026-11-20T12:00:00Z",
        "updated_at": "2026-11-20T12:00:00Z",
        "deleted_at": None,
    }
    assert entry.user == user
    assert entry.body_length == len("A good day\nat the lake.")


def test_create_accepts_the_trailing_slash_form(auth_client):
    response = auth_client.post("/api/v1/journal/", {"body": "slash"})

    assert response.status_code == 201
    assert JournalEntry.objects.get().body == "slash"


def test_journal_requires_authentication(api_client):
    assert api_client.get("/api/v1/journal").status_code == 401
    assert api_client.post("/api/v1/journal", {"body": "x"}).status_code == 401
    assert JournalEntry.objects.count() == 0


def test_create_refuses_an_oversize_body(auth_client):
    fields = validation_fields(
        auth_client.post("/api/v1/journal", {"body": "x" * 20_001})
    )

    assert list(fields) == ["body"]
    assert JournalEntry.objects.count() == 0


def test_create_accepts_a_body_of_exactly_the_limit(auth_client):
    response = auth_client.post("/api/v1/journal", {"body": "x" * 20_000})

    assert response.status_code == 201
    assert JournalEntry.objects.get().body_length == 20_000


def test_create_refuses_more_than_ten_tags(auth_client):
    fields = validation_fields(
        auth_client.post(
            "/api/v1/journal",
            {"body": "x", "tags": [f"tag{i}" for i in range(11)]},
        )
    )

    assert list(fields) == ["tags"]
    assert JournalEntry.objects.count() == 0


def test_ten_distinct_tags_after_normalising_are_accepted(auth_client):
    tags = [f"tag{i}" for i in range(10)]
    response = auth_client.post("/api/v1/journal", {"body": "x", "tags": tags})

    assert response.status_code == 201
    assert response.json()["tags"] == tags


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"body": 123}, "body"),
        ({"body": ["a"]}, "body"),
        ({"body": "x", "title": {"a": 1}}, "title"),
        ({"body": "x", "tags": "calm"}, "tags"),
        ({"body": "x", "tags": [1]}, "tags"),
        ({"body": "x", "tags": ["no/slashes"]}, "tags"),
        ({"body": "x", "prompt_id": "abc"}, "prompt_id"),
        ({"body": "x", "prompt_id": 999999}, "prompt_id"),
        ({"body": "x", "occurred_at": "yesterday"}, "occurred_at"),
        ({"body": "x", "occurred_at": "2026-11-20T10:00:00"}, "occurred_at"),
        ({"body": ""}, "body"),
        ({}, "body"),
    ],
)
def test_create_refuses_bad_input(auth_client, payload, field):
    fields = validation_fields(auth_client.post("/api/v1/journal", payload))

    assert list(fields) == [field]
    assert JournalEntry.objects.count() == 0


@pytest.mark.parametrize(
    "text",
    ["<b>bold</b> words", "hello <script>alert(1)</script>", "a <!-- c --> b"],
)
def test_create_refuses_html_markup(auth_client, text):
    fields = validation_fields(
        auth_client.post("/api/v1/journal", {"body": text, "title": "ok"})
    )

    assert fields == {"body": ["HTML markup is not allowed; send plain text."]}
    assert JournalEntry.objects.count() == 0


def test_plain_text_with_angle_brackets_and_ampersands_is_kept_verbatim(auth_client):
    text = "a < b & c > d, I <3 you, AT&T"
    response = auth_client.post("/api/v1/journal", {"body": text, "title": "5 > 3"})

    assert response.status_code == 201
    entry = JournalEntry.objects.get()
    assert (entry.title, entry.body) == ("5 > 3", text)


def test_create_refuses_another_users_mood_entry(auth_client, other_user):
    theirs = MoodEntryFactory(user=other_user)

    fields = validation_fields(
        auth_client.post("/api/v1/journal", {"body": "x", "mood_entry_id": theirs.pk})
    )

    assert fields == {"mood_entry_id": ["Unknown mood entry."]}
    assert JournalEntry.objects.count() == 0


@time_machine.travel(NOW, tick=False)
def test_create_refuses_future_and_too_old_occurred_at(auth_client):
    future = validation_fields(
        auth_client.post(
            "/api/v1/journal",
            {"body": "x", "occurred_at": "2026-11-20T12:05:00Z"},
        )
    )
    old = validation_fields(
        auth_client.post(
            "/api/v1/journal",
            {"body": "x", "occurred_at": "2026-11-13T11:59:00Z"},
        )
    )

    assert future == {"occurred_at": ["Cannot be in the future."]}
    assert old == {"occurred_at": ["Cannot be more than 7 days in the past."]}
    assert JournalEntry.objects.count() == 0


# --- journal entries: list ---------------------------------------------------


def test_list_is_newest_first_and_only_mine(auth_client, user, other_user):
    older = journal_entry(user, occurred_at=timezone.now() - timedelta(days=2))
    newer = journal_entry(user, occurred_at=timezone.now() - timedelta(hours=1))
    journal_entry(other_user, body="not yours")

    response = auth_client.get("/api/v1/journal")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [e["id"] for e in body["results"]] == [newer.pk, older.pk]


def test_list_filters_by_local_date_range_and_tag(auth_client, user):
    def at(day):
        return datetime(2026, 11, day, 12, tzinfo=UTC)

    journal_entry(user, occurred_at=at(1), local_date=date(2026, 11, 1))
    second = journal_entry(
        user, occurred_at=at(2), local_date=date(2026, 11, 2), tag_names=["calm"]
    )
    third = journal_entry(
        user, occurred_at=at(3), local_date=date(2026, 11, 3), tag_names=["calm"]
    )
    journal_entry(
        user, occurred_at=at(4), local_date=date(2026, 11, 4), tag_names=["calm"]
    )
    journal_entry(user, occurred_at=at(3), local_date=date(2026, 11, 3))

    response = auth_client.get(
        "/api/v1/journal",
        {"date_from": "2026-11-02", "date_to": "2026-11-03", "tag": "Calm"},
    )

    assert response.status_code == 200
    assert [e["id"] for e in response.json()["results"]] == [third.pk, second.pk]


def test_list_refuses_a_reversed_date_range(auth_client):
    fields = validation_fields(
        auth_client.get(
            "/api/v1/journal", {"date_from": "2026-11-05", "date_to": "2026-11-01"}
        )
    )

    assert fields == {"date_to": ["Must be on or after date_from."]}


def test_list_refuses_a_malformed_date(auth_client):
    fields = validation_fields(auth_client.get("/api/v1/journal", {"date_from": "x"}))

    assert list(fields) == ["date_from"]


@pytest.mark.parametrize("count", [1, 3])
def test_list_query_count_does_not_grow(
    auth_client, user, count, django_assert_num_queries
):
    prompt = PromptFactory()
    mood = MoodEntryFactory(user=user)
    for _ in range(count):
        journal_entry(user, prompt=prompt, mood_entry=mood, tag_names=["a", "b"])

    # user (authentication), the page with its count, prompt and tags. Was 4:
    # the tags are aggregated in the page's query, not prefetched after it,
    # and the count is a subquery of it (kaya.pagination).
    with django_assert_num_queries(2):
        response = auth_client.get("/api/v1/journal")

    assert len(response.json()["results"]) == count


def test_list_is_paginated(auth_client, user):
    for _ in range(3):
        journal_entry(user)

    body = auth_client.get("/api/v1/journal", {"page_size": 2}).json()

    assert body["count"] == 3
    assert len(body["results"]) == 2
    assert body["next"] is not None


# --- journal entries: detail -------------------------------------------------


def test_get_my_entry(auth_client, user):
    entry = journal_entry(user, title="T", body="B", tag_names=["x"])

    response = auth_client.get(f"/api/v1/journal/{entry.pk}")

    assert response.status_code == 200
    assert (response.json()["title"], response.json()["body"]) == ("T", "B")
    assert response.json()["tags"] == ["x"]
    assert auth_client.get(f"/api/v1/journal/{entry.pk}/").status_code == 200


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_another_users_entry_is_not_found(auth_client, other_user, method):
    theirs = journal_entry(other_user, title="Theirs", body="Private", tag_names=["t"])

    response = getattr(auth_client, method)(
        f"/api/v1/journal/{theirs.pk}", {"body": "overwritten", "tags": []}
    )

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    theirs = JournalEntry.objects.get(pk=theirs.pk)
    assert (theirs.title, theirs.body) == ("Theirs", "Private")
    assert list(theirs.tags.values_list("name", flat=True)) == ["t"]


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_missing_entry_is_not_found(auth_client, method):
    response = getattr(auth_client, method)("/api/v1/journal/987654")

    assert response.status_code == 404


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_a_non_numeric_entry_id_is_not_found(auth_client, user, method):
    journal_entry(user)

    response = getattr(auth_client, method)("/api/v1/journal/abc", {"body": "x"})

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_patch_changes_only_the_given_fields(auth_client, user):
    entry = journal_entry(user, title="Old", body="Old body", tag_names=["keep"])
    created = JournalEntry.objects.get(pk=entry.pk)

    with time_machine.travel(timezone.now() + timedelta(minutes=5), tick=False):
        response = auth_client.patch(
            f"/api/v1/journal/{entry.pk}", {"body": "New body"}
        )

    assert response.status_code == 200
    entry.refresh_from_db()
    assert (entry.title, entry.body, entry.body_length) == ("Old", "New body", 8)
    assert list(entry.tags.values_list("name", flat=True)) == ["keep"]
    assert entry.updated_at > created.updated_at
    assert entry.local_date == created.local_date
    assert response.json()["body"] == "New body"


def test_patch_replaces_tags_and_unlinks_the_mood_entry(auth_client, user):
    mood = MoodEntryFactory(user=user)
    entry = journal_entry(user, mood_entry=mood, tag_names=["old"])

    response = auth_client.patch(
        f"/api/v1/journal/{entry.pk}", {"tags": ["New", "other"], "mood_entry_id": None}
    )

    assert response.status_code == 200
    assert response.json()["tags"] == ["new", "other"]
    assert response.json()["mood_entry_id"] is None
    assert sorted(JournalTag.objects.values_list("name", flat=True)) == [
        "new",
        "other",
    ]


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"body": "x" * 20_001}, "body"),
        ({"tags": [f"t{i}" for i in range(11)]}, "tags"),
        ({"title": 5}, "title"),
        ({"body": "<p>hi</p>"}, "body"),
    ],
)
def test_patch_refuses_bad_input(auth_client, user, payload, field):
    entry = journal_entry(user, title="Same", body="Same body")

    fields = validation_fields(
        auth_client.patch(f"/api/v1/journal/{entry.pk}", payload)
    )

    assert list(fields) == [field]
    entry.refresh_from_db()
    assert (entry.title, entry.body) == ("Same", "Same body")


def test_patch_refuses_another_users_mood_entry(auth_client, user, other_user):
    entry = journal_entry(user)
    theirs = MoodEntryFactory(user=other_user)

    fields = validation_fields(
        auth_client.patch(f"/api/v1/journal/{entry.pk}", {"mood_entry_id": theirs.pk})
    )

    assert fields == {"mood_entry_id": ["Unknown mood entry."]}
    entry.refresh_from_db()
    assert entry.mood_entry is None


def test_delete_my_entry(auth_client, user):
    mood = MoodEntryFactory(user=user)
    entry = journal_entry(user, tag_names=["x"], mood_entry=mood, body="Secret")

    response = auth_client.delete(f"/api/v1/journal/{entry.pk}")

    assert response.status_code == 204
    # Gone for every read; only a content-free tombstone stays for delta sync.
    assert auth_client.get(f"/api/v1/journal/{entry.pk}").status_code == 404
    assert auth_client.get("/api/v1/journal").json()["count"] == 0
    assert auth_client.delete(f"/api/v1/journal/{entry.pk}").status_code == 404
    assert JournalEntry.objects.for_user(user).count() == 0
    assert JournalTag.objects.count() == 0
    tombstone = JournalEntry.objects.get(pk=entry.pk)
    assert (tombstone.title, tombstone.body, tombstone.body_length) == ("", "", 0)
    assert (tombstone.mood_entry_id, tombstone.prompt_id) == (None, None)
    assert tombstone.deleted_at is not None


# --- gratitude ---------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_create_gratitude_entry(auth_client, user):
    response = auth_client.post(
        "/api/v1/journal/gratitude", {"items": ["my dog", " tea "]}
    )

    assert response.status_code == 201, response.content
    entry = GratitudeEntry.objects.get()
    assert response.json() == {
        "id": entry.pk,
        "items": ["my dog", "tea"],
        "client_id": None,
        "occurred_at": "2026-11-20T12:00:00Z",
        "local_date": "2026-11-20",
        "created_at": "2026-11-20T12:00:00Z",
        "updated_at": "2026-11-20T12:00:00Z",
    }
    assert (entry.user, entry.item_count) == (user, 2)


@pytest.mark.parametrize(
    "payload",
    [
        {"items": []},
        {"items": ["a", "b", "c", "d"]},
        {"items": "a"},
        {"items": [1]},
        {"items": ["x" * 201]},
        {"items": ["<i>hi</i>"]},
        {"items": [""]},
        {},
    ],
)
def test_create_gratitude_refuses_bad_input(auth_client, payload):
    fields = validation_fields(auth_client.post("/api/v1/journal/gratitude", payload))

    # An error about one item is keyed by its path ("items.0").
    assert [name.split(".")[0] for name in fields] == ["items"]
    assert GratitudeEntry.objects.count() == 0


def test_gratitude_list_is_mine_newest_first(auth_client, user, other_user):
    older = GratitudeEntryFactory(
        user=user, occurred_at=timezone.now() - timedelta(days=1)
    )
    newer = GratitudeEntryFactory(user=user)
    GratitudeEntryFactory(user=other_user)

    response = auth_client.get("/api/v1/journal/gratitude/list")

    assert response.status_code == 200
    assert [e["id"] for e in response.json()["results"]] == [newer.pk, older.pk]
    assert response.json()["results"][0]["items"] == ["warm tea"]


def test_gratitude_list_filters_by_local_date(auth_client, user):
    GratitudeEntryFactory(user=user, local_date=date(2026, 11, 1))
    kept = GratitudeEntryFactory(user=user, local_date=date(2026, 11, 2))

    response = auth_client.get(
        "/api/v1/journal/gratitude/list", {"date_from": "2026-11-02"}
    )

    assert [e["id"] for e in response.json()["results"]] == [kept.pk]


@pytest.mark.parametrize(
    "path", ["/api/v1/journal/gratitude/list", "/api/v1/journal/gratitude"]
)
@pytest.mark.parametrize("count", [1, 3])
def test_gratitude_list_query_count_does_not_grow(
    auth_client, user, count, path, django_assert_num_queries
):
    for _ in range(count):
        GratitudeEntryFactory(user=user)

    # user (authentication), the page with its count
    with django_assert_num_queries(2):
        response = auth_client.get(path)

    assert len(response.json()["results"]) == count


# --- mood --------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_log_a_mood(auth_client, user):
    response = auth_client.post(
        "/api/v1/journal/mood",
        {
            "mood": "good",
            "intensity": 6,
            "emotions": ["calm", "grateful", "calm"],
            "factors": ["sleep", "exercise"],
            "note": "Long walk.",
        },
    )

    assert response.status_code == 201, response.content
    entry = MoodEntry.objects.get()
    assert response.json() == {
        "id": entry.pk,
        "mood": "good",
        "score": 4,
        "intensity": 6,
        "emotions": ["calm", "grateful"],
        "factors": ["sleep", "exercise"],
        "note": "Long walk.",
        "client_id": None,
        "logged_at": "2026-11-20T12:00:00Z",
        "local_date": "2026-11-20",
        "created_at": "2026-11-20T12:00:00Z",
        "updated_at": "2026-11-20T12:00:00Z",
        "support": None,
    }
    assert sorted(
        MoodTag.objects.values_list("kind", "value", "user_id", "local_date")
    ) == [
        ("emotion", "calm", user.pk, date(2026, 11, 20)),
        ("emotion", "grateful", user.pk, date(2026, 11, 20)),
        ("factor", "exercise", user.pk, date(2026, 11, 20)),
        ("factor", "sleep", user.pk, date(2026, 11, 20)),
    ]


@time_machine.travel(NOW, tick=False)
def test_logged_mood_reads_back_as_it_was_answered(auth_client, user):
    """The created entry's tag values come from the request (not read back):
    the answer is what reading the stored entry renders, first and on a retry."""
    payload = {
        "mood": "low",
        "intensity": 7,
        "emotions": ["sad", "anxious", "calm", "sad"],
        "factors": ["work", "family", "sleep"],
        "note": "Hard day.",
        "client_id": str(uuid.uuid4()),
    }
    created = auth_client.post("/api/v1/journal/mood", payload, format="json")
    retried = auth_client.post("/api/v1/journal/mood", payload, format="json")

    assert created.status_code == 201, created.content
    assert retried.status_code == 200, retried.content
    stored = MoodEntryOutput(
        selectors.mood_entry_list(user=user).get(), context={"request": None}
    ).data
    for answer in (created, retried):
        body = answer.json()
        assert body.pop("support") is None
        assert body == dict(stored)
    assert stored["emotions"] == ["sad", "anxious", "calm"]
    assert stored["factors"] == ["work", "family", "sleep"]


@pytest.mark.parametrize("tags", [0, 1, 4])
def test_log_mood_query_count_is_fixed(
    auth_client, user, tags, django_assert_num_queries
):
    auth_client.post("/api/v1/journal/mood", {"mood": "good", "intensity": 3})
    emotions = ["calm", "grateful", "hopeful", "proud"][:tags]
    # PostgreSQL: the user, then the entry, its tags and the day's rollup
    # upsert in one statement. Elsewhere: the user, the savepoint and its
    # release, the entry, its tags (when any) and the rollup upsert (its tag
    # counts added in the same statement).
    writes = 1 if writes_in_one_statement() else 4 + bool(tags)
    with django_assert_num_queries(1 + writes):
        response = auth_client.post(
            "/api/v1/journal/mood",
            {"mood": "good", "intensity": 3, "emotions": emotions},
            format="json",
        )
    assert response.status_code == 201
    assert response.json()["emotions"] == emotions


@time_machine.travel(NOW, tick=False)
def test_mood_may_be_back_dated_up_to_seven_days(auth_client):
    response = auth_client.post(
        "/api/v1/journal/mood",
        {"mood": "low", "intensity": 3, "logged_at": "2026-11-13T12:00:00Z"},
    )

    assert response.status_code == 201
    assert response.json()["logged_at"] == "2026-11-13T12:00:00Z"
    assert response.json()["local_date"] == "2026-11-13"


@time_machine.travel(NOW, tick=False)
def test_mood_a_few_seconds_ahead_is_clamped_to_now(auth_client):
    response = auth_client.post(
        "/api/v1/journal/mood",
        {"mood": "low", "intensity": 3, "logged_at": "2026-11-20T12:00:30Z"},
    )

    assert response.status_code == 201
    assert response.json()["logged_at"] == "2026-11-20T12:00:00Z"


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    "payload, field",
    [
        ({"logged_at": "2026-11-20T13:00:00Z"}, "logged_at"),
        ({"logged_at": "2026-11-13T11:00:00Z"}, "logged_at"),
        ({"logged_at": "2026-11-20T10:00:00"}, "logged_at"),
        ({"emotions": ["joyful-ish"]}, "emotions"),
        ({"emotions": "calm"}, "emotions"),
        ({"factors": ["astrology"]}, "factors"),
        ({"mood": "ecstatic"}, "mood"),
        ({"mood": 3}, "mood"),
        ({"intensity": 0}, "intensity"),
        ({"intensity": 11}, "intensity"),
        ({"intensity": "7"}, "intensity"),
        ({"intensity": 7.0}, "intensity"),
        ({"note": "x" * 2001}, "note"),
        ({"note": ["a"]}, "note"),
        ({"note": "<b>x</b>"}, "note"),
    ],
)
def test_log_mood_refuses_bad_input(auth_client, payload, field):
    data = {"mood": "good", "intensity": 5, **payload}

    fields = validation_fields(auth_client.post("/api/v1/journal/mood", data))

    assert [name.split(".")[0] for name in fields] == [field]
    assert MoodEntry.objects.count() == 0


def test_unknown_emotion_names_the_bad_value(auth_client):
    fields = validation_fields(
        auth_client.post(
            "/api/v1/journal/mood",
            {"mood": "good", "intensity": 5, "emotions": ["calm", "joyful-ish"]},
        )
    )

    assert fields == {"emotions.1": ['"joyful-ish" is not a valid choice.']}


def test_very_low_mood_with_high_intensity_returns_support(auth_client, user):
    user.locale = "es"
    user.save(update_fields=["locale"])
    CrisisResourceFactory(locale="en", name="English line")
    CrisisResourceFactory(
        locale="es",
        name="Línea 024",
        phone="024",
        url="https://example.es",
        sort_order=2,
    )
    CrisisResourceFactory(locale="es", name="Teléfono", phone="717", sort_order=1)
    CrisisResourceFactory(locale="es", name="Inactive", is_active=False)

    response = auth_client.post(
        "/api/v1/journal/mood", {"mood": "very_low", "intensity": 7}
    )

    assert response.status_code == 201
    support = response.json()["support"]
    assert support["locale"] == "es"
    assert support["message"].startswith("It sounds like things are really hard")
    assert support["resources"] == [
        {
            "name": "Teléfono",
            "description": "",
            "phone": "717",
            "sms": "",
            "url": "",
        },
        {
            "name": "Línea 024",
            "description": "",
            "phone": "024",
            "sms": "",
            "url": "https://example.es",
        },
    ]


def test_support_falls_back_to_the_fallback_locale(auth_client, user, settings):
    settings.JOURNAL_FALLBACK_LOCALE = "en"
    user.locale = "fr-CA"
    user.save(update_fields=["locale"])
    CrisisResourceFactory(locale="en", name="Fallback line")

    response = auth_client.post(
        "/api/v1/journal/mood", {"mood": "very_low", "intensity": 10}
    )

    support = response.json()["support"]
    assert support["locale"] == "en"
    assert [r["name"] for r in support["resources"]] == ["Fallback line"]


def test_support_uses_the_language_of_a_regional_locale(auth_client, user):
    user.locale = "es-MX"
    user.save(update_fields=["locale"])
    CrisisResourceFactory(locale="es", name="Spanish line")
    CrisisResourceFactory(locale="en", name="English line")

    response = auth_client.post(
        "/api/v1/journal/mood", {"mood": "very_low", "intensity": 8}
    )

    assert [r["name"] for r in response.json()["support"]["resources"]] == [
        "Spanish line"
    ]


@pytest.mark.parametrize(
    "mood, intensity", [("very_low", 6), ("low", 10), ("neutral", 10)]
)
def test_no_support_below_the_threshold(auth_client, mood, intensity):
    CrisisResourceFactory(locale="en")

    response = auth_client.post(
        "/api/v1/journal/mood", {"mood": mood, "intensity": intensity}
    )

    assert response.status_code == 201
    assert response.json()["support"] is None


def test_support_ignores_the_note_text(auth_client):
    CrisisResourceFactory(locale="en")

    response = auth_client.post(
        "/api/v1/journal/mood",
        {"mood": "great", "intensity": 9, "note": "I want to end it all"},
    )

    assert response.json()["support"] is None


@time_machine.travel(NOW, tick=False)
def test_mood_history_returns_entries_and_day_aggregates(auth_client, user, other_user):
    def mood(day, hour, value, intensity):
        entry = MoodEntryFactory(
            user=user,
            mood=value,
            intensity=intensity,
            logged_at=datetime(2026, 11, day, hour, tzinfo=UTC),
            local_date=date(2026, 11, day),
        )
        MoodTag.objects.create(
            entry=entry,
            user=user,
            kind="emotion",
            value="calm",
            local_date=entry.local_date,
        )
        return entry

    a = mood(18, 9, "low", 4)
    b = mood(18, 20, "great", 8)
    c = mood(20, 8, "neutral", 5)
    mood(17, 8, "neutral", 5)  # before the range
    MoodEntryFactory(user=other_user, local_date=date(2026, 11, 18))

    response = auth_client.get(
        "/api/v1/journal/mood/history",
        {"date_from": "2026-11-18", "date_to": "2026-11-20"},
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["date_from"], body["date_to"]) == ("2026-11-18", "2026-11-20")
    assert [e["id"] for e in body["entries"]] == [c.pk, b.pk, a.pk]
    assert body["entries"][0]["emotions"] == ["calm"]
    assert body["days"] == [
        {
            "local_date": "2026-11-18",
            "entries_count": 2,
            "average_score": 3.5,
            "average_intensity": 6.0,
            "lowest_score": 2,
            "highest_score": 5,
        },
        {
            "local_date": "2026-11-20",
            "entries_count": 1,
            "average_score": 3.0,
            "average_intensity": 5.0,
            "lowest_score": 3,
            "highest_score": 3,
        },
    ]


@time_machine.travel(NOW, tick=False)
def test_mood_history_defaults_to_the_last_thirty_local_days(auth_client, user):
    user.timezone = "Pacific/Kiritimati"  # 2026-11-21 02:00 local at NOW
    user.save(update_fields=["timezone"])
    inside = MoodEntryFactory(user=user, local_date=date(2026, 10, 23))
    MoodEntryFactory(user=user, local_date=date(2026, 10, 22))

    body = auth_client.get("/api/v1/journal/mood/history").json()

    assert (body["date_from"], body["date_to"]) == ("2026-10-23", "2026-11-21")
    assert [e["id"] for e in body["entries"]] == [inside.pk]


def test_mood_history_refuses_a_range_over_92_days(auth_client):
    fields = validation_fields(
        auth_client.get(
            "/api/v1/journal/mood/history",
            {"date_from": "2026-01-01", "date_to": "2026-04-03"},
        )
    )

    assert fields == {"date_from": ["A history spans at most 92 days."]}


def test_mood_history_near_the_first_representable_date_is_clamped(auth_client):
    # 30 days before 0001-01-05 does not exist (this was a 500).
    response = auth_client.get(
        "/api/v1/journal/mood/history", {"date_to": "0001-01-05"}
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["date_from"], body["date_to"]) == ("0001-01-01", "0001-01-05")
    assert (body["days"], body["entries"]) == ([], [])


def test_mood_history_accepts_exactly_92_days(auth_client):
    response = auth_client.get(
        "/api/v1/journal/mood/history",
        {"date_from": "2026-01-01", "date_to": "2026-04-02"},
    )

    assert response.status_code == 200


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    "path", ["/api/v1/journal/mood/history", "/api/v1/journal/mood"]
)
@pytest.mark.parametrize("count", [1, 3])
def test_mood_history_query_count_does_not_grow(
    auth_client, user, count, path, django_assert_num_queries
):
    for i in range(count):
        entry = MoodEntryFactory(user=user, local_date=date(2026, 11, 10 + i))
        MoodTag.objects.create(
            entry=entry,
            user=user,
            kind="factor",
            value="sleep",
            local_date=entry.local_date,
        )

    # user (authentication), entries (with tags; the days are summed from
    # them). Was 4, then 3: the tags are aggregated in the entries' query, and
    # the days no longer have a query of their own.
    with django_assert_num_queries(2):
        response = auth_client.get(path)

    assert len(response.json()["entries"]) == count
    assert len(response.json()["days"]) == count

    # Delta sync lists only the changed entries, so the days are their query.
    with django_assert_num_queries(3):
        response = auth_client.get(path, {"updated_since": "2026-01-01T00:00:00Z"})

    assert len(response.json()["entries"]) == count
    assert len(response.json()["days"]) == count


def test_mood_calendar_has_one_cell_per_local_day(auth_client, user, other_user):
    for value, day in (("low", 3), ("great", 3), ("good", 30)):
        MoodEntryFactory(user=user, mood=value, local_date=date(2026, 11, day))
    MoodEntryFactory(user=user, mood="great", local_date=date(2026, 12, 1))
    MoodEntryFactory(user=other_user, mood="great", local_date=date(2026, 11, 4))

    response = auth_client.get("/api/v1/journal/mood/calendar", {"month": "2026-11"})

    assert response.status_code == 200
    body = response.json()
    assert body["month"] == "2026-11"
    assert len(body["days"]) == 30
    assert body["days"][0] == {
        "local_date": "2026-11-01",
        "entries_count": 0,
        "average_score": None,
    }
    assert body["days"][2] == {
        "local_date": "2026-11-03",
        "entries_count": 2,
        "average_score": 3.5,
    }
    assert body["days"][3]["entries_count"] == 0
    assert body["days"][29] == {
        "local_date": "2026-11-30",
        "entries_count": 1,
        "average_score": 4.0,
    }


def test_mood_calendar_handles_february_of_a_leap_year(auth_client):
    body = auth_client.get("/api/v1/journal/mood/calendar", {"month": "2028-02"}).json()

    assert len(body["days"]) == 29
    assert body["days"][-1]["local_date"] == "2028-02-29"


def test_mood_calendar_of_the_last_representable_month(auth_client):
    # The day after 9999-12-31 does not exist (this was a 500).
    response = auth_client.get("/api/v1/journal/mood/calendar", {"month": "9999-12"})

    assert response.status_code == 200
    days = response.json()["days"]
    assert len(days) == 31
    assert days[-1] == {
        "local_date": "9999-12-31",
        "entries_count": 0,
        "average_score": None,
    }


@time_machine.travel(datetime(2026, 11, 30, 11, 30, tzinfo=UTC), tick=False)
def test_mood_calendar_defaults_to_the_users_local_month(auth_client, user):
    user.timezone = "Pacific/Kiritimati"  # already 1 December there
    user.save(update_fields=["timezone"])

    body = auth_client.get("/api/v1/journal/mood/calendar").json()

    assert body["month"] == "2026-12"
    assert len(body["days"]) == 31


@pytest.mark.parametrize("month", ["2026-13", "2026-1", "november", "0000-01"])
def test_mood_calendar_refuses_a_bad_month(auth_client, month):
    fields = validation_fields(
        auth_client.get("/api/v1/journal/mood/calendar", {"month": month})
    )

    assert fields == {"month": ["Use the form YYYY-MM."]}


@pytest.mark.parametrize("count", [1, 3])
def test_mood_calendar_query_count_does_not_grow(
    auth_client, user, count, django_assert_num_queries
):
    for day in range(1, count + 1):
        MoodEntryFactory(user=user, local_date=date(2026, 11, day))

    # user (authentication), day aggregates
    with django_assert_num_queries(2):
        response = auth_client.get(
            "/api/v1/journal/mood/calendar", {"month": "2026-11"}
        )

    assert sum(d["entries_count"] for d in response.json()["days"]) == count


# --- prompts -----------------------------------------------------------------


def test_prompt_rotates_by_the_users_local_date(auth_client, user):
    user.timezone = "Pacific/Pago_Pago"  # UTC-11
    user.save(update_fields=["timezone"])
    prompts = [PromptFactory(text=f"Prompt {i}") for i in range(3)]
    PromptFactory(text="Retired", is_active=False)
    PromptFactory(text="Auf Deutsch", locale="de")

    # 2026-11-21 05:00 UTC is still 2026-11-20 in Pago Pago.
    with time_machine.travel(datetime(2026, 11, 21, 5, tzinfo=UTC), tick=False):
        first = auth_client.get("/api/v1/journal/prompts").json()
    with time_machine.travel(datetime(2026, 11, 21, 12, tzinfo=UTC), tick=False):
        second = auth_client.get("/api/v1/journal/prompts").json()

    expected_first = prompts[date(2026, 11, 20).toordinal() % 3]
    expected_second = prompts[date(2026, 11, 21).toordinal() % 3]
    assert first == {
        "local_date": "2026-11-20",
        "prompt": {"id": expected_first.pk, "text": expected_first.text},
    }
    assert second["local_date"] == "2026-11-21"
    assert second["prompt"]["id"] == expected_second.pk
    assert expected_first.pk != expected_second.pk


def test_prompt_in_the_users_locale(auth_client, user):
    user.locale = "de"
    user.save(update_fields=["locale"])
    PromptFactory(text="In English")
    german = PromptFactory(text="Auf Deutsch", locale="de")

    body = auth_client.get("/api/v1/journal/prompts").json()

    assert body["prompt"] == {"id": german.pk, "text": "Auf Deutsch"}


def test_prompt_is_null_when_none_is_curated(auth_client):
    body = auth_client.get("/api/v1/journal/prompts").json()

    assert body["prompt"] is None


def test_paths_are_not_captured_by_the_entry_detail_route(auth_client):
    for path in (
        "/api/v1/journal/gratitude/list",
        "/api/v1/journal/mood/history",
        "/api/v1/journal/mood/calendar",
        "/api/v1/journal/prompts",
        "/api/v1/journal/prompts/",
    ):
        assert auth_client.get(path).status_code == 200, path


# The seed's aliases are GET-only and left out of the document (which lists the
# collection path); the test POSTs to one to prove the 405.
@pytest.mark.no_response_schema
@pytest.mark.parametrize(
    ("collection", "alias"),
    [
        ("/api/v1/journal/gratitude", "/api/v1/journal/gratitude/list"),
        ("/api/v1/journal/mood", "/api/v1/journal/mood/history"),
    ],
)
def test_journal_collections_answer_get_and_post_and_the_seed_paths_are_aliases(
    auth_client, user, collection, alias
):
    GratitudeEntryFactory(user=user)
    MoodEntryFactory(user=user)

    listed = auth_client.get(collection)
    aliased = auth_client.get(alias)

    assert (listed.status_code, aliased.status_code) == (200, 200)
    assert listed.json() == aliased.json()
    entries = listed.json().get("results", listed.json().get("entries"))
    assert len(entries) == 1
    # The alias only reads: writes go to the collection.
    assert auth_client.post(alias, {}).status_code == 405


def test_journal_collections_in_the_schema(auth_client):
    paths = auth_client.get("/api/v1/schema/?format=json").json()["paths"]

    assert set(paths["/api/v1/journal/gratitude"]) == {"get", "post"}
    assert set(paths["/api/v1/journal/mood"]) == {"get", "post"}
    assert set(paths["/api/v1/journal/gratitude/list"]) == {"get"}
    assert set(paths["/api/v1/journal/mood/history"]) == {"get"}
    assert "alias" in paths["/api/v1/journal/mood/history"]["get"]["summary"]
    assert "alias" in paths["/api/v1/journal/gratitude/list"]["get"]["summary"]


# --- privacy -----------------------------------------------------------------


def test_staff_have_no_api_path_to_another_users_entries(other_user, user):
    staff = other_user
    staff.is_staff = True
    staff.is_superuser = True
    staff.save(update_fields=["is_staff", "is_superuser"])
    entry = journal_entry(user, body="Private")
    MoodEntryFactory(user=user, note="Private")
    GratitudeEntryFactory(user=user)
    client = FreshTokenClient(staff)

    assert client.get(f"/api/v1/journal/{entry.pk}").status_code == 404
    assert client.get("/api/v1/journal").json()["count"] == 0
    assert client.get("/api/v1/journal/gratitude/list").json()["count"] == 0
    assert client.get("/api/v1/journal/mood/history").json()["entries"] == []


def test_a_wrong_key_gives_a_server_error_never_ciphertext(auth_client, user, settings):
    entry = journal_entry(user, body="Private")
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]

    response = auth_client.get(f"/api/v1/journal/{entry.pk}")

    assert response.status_code == 500
    assert response.json()["error"]["code"] == "server_error"
    assert "gAAAAA" not in response.content.decode()


def test_private_text_never_reaches_the_logs(auth_client, caplog):
    secret = "Quux-secret-sentence"
    with caplog.at_level(logging.DEBUG):
        auth_client.post("/api/v1/journal", {"title": secret, "body": secret})
        auth_client.post("/api/v1/journal", {"body": secret * 2000})
        auth_client.post("/api/v1/journal/gratitude", {"items": [secret]})
        auth_client.post(
            "/api/v1/journal/mood", {"mood": "low", "intensity": 3, "note": secret}
        )
        auth_client.get("/api/v1/journal")

    assert caplog.records  # the requests were logged ...
    assert secret not in caplog.text  # ... without their text


# --- idempotent create (client_id) -------------------------------------------

CREATES = [
    ("/api/v1/journal", JournalEntry, {"body": "Offline words"}),
    ("/api/v1/journal/gratitude", GratitudeEntry, {"items": ["rain"]}),
    ("/api/v1/journal/mood", MoodEntry, {"mood": "good", "intensity": 4}),
]


@pytest.mark.parametrize(("url", "model", "payload"), CREATES)
def test_a_retried_create_with_the_same_client_id_returns_the_first(
    auth_client, user, url, model, payload, django_capture_on_commit_callbacks
):
    client_id = str(uuid.uuid4())
    with django_capture_on_commit_callbacks() as first_effects:
        first = auth_client.post(url, {**payload, "client_id": client_id})
    with django_capture_on_commit_callbacks() as retry_effects:
        again = auth_client.post(url, {**payload, "client_id": client_id})

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert first.json()["client_id"] == client_id
    assert model.objects.filter(user=user).count() == 1
    # The create publishes its domain event and invalidates the answers cached
    # from the user's totals (kaya.rollups.USER_READS) once; the retry does
    # neither again.
    assert (len(first_effects), len(retry_effects)) == (2, 0)


@pytest.mark.parametrize(("url", "model", "payload"), CREATES)
def test_client_ids_are_per_user_and_optional(
    auth_client, other_user, url, model, payload
):
    client_id = str(uuid.uuid4())
    other = FreshTokenClient(other_user)

    mine = auth_client.post(url, {**payload, "client_id": client_id})
    theirs = other.post(url, {**payload, "client_id": client_id})
    plain = [auth_client.post(url, payload) for _ in range(2)]

    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert mine.json()["id"] != theirs.json()["id"]
    assert [r.status_code for r in plain] == [201, 201]
    assert model.objects.count() == 4


@pytest.mark.parametrize(("url", "model", "payload"), CREATES)
def test_a_client_id_must_be_a_uuid(auth_client, url, model, payload):
    response = auth_client.post(url, {**payload, "client_id": "not-a-uuid"})

    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"client_id"}
    assert model.objects.count() == 0


# --- delta sync (updated_since) ----------------------------------------------

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=ZoneInfo("UTC"))


def test_journal_delta_sync_lists_changes_and_deletions_in_change_order(
    auth_client, user, other_user
):
    with time_machine.travel(T0, tick=False):
        old = journal_entry(user, body="old")
        edited = journal_entry(user, body="edited later")
        deleted = journal_entry(user, body="deleted later", tag_names=["x"])
        journal_entry(other_user, body="not mine")
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        auth_client.patch(f"/api/v1/journal/{edited.pk}", {"title": "New"})
    with time_machine.travel(T0 + timedelta(hours=2), tick=False):
        auth_client.delete(f"/api/v1/journal/{deleted.pk}")
        journal_entry(other_user, body="not mine either")

    since = (T0 + timedelta(minutes=30)).isoformat()
    response = auth_client.get("/api/v1/journal", {"updated_since": since})

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [(r["id"], r["updated_at"], r["deleted_at"]) for r in rows] == [
        (edited.pk, "2026-11-20T13:00:00Z", None),
        (deleted.pk, "2026-11-20T14:00:00Z", "2026-11-20T14:00:00Z"),
    ]
    # A tombstone carries no content.
    assert (rows[1]["title"], rows[1]["body"], rows[1]["tags"]) == ("", "", [])
    # Without updated_since the tombstone is never listed.
    plain = auth_client.get("/api/v1/journal").json()["results"]
    assert sorted(r["id"] for r in plain) == sorted([old.pk, edited.pk])


@pytest.mark.parametrize(
    ("url", "param"),
    [
        ("/api/v1/journal", "updated_since"),
        ("/api/v1/journal/gratitude", "updated_since"),
        ("/api/v1/journal/gratitude/list", "updated_since"),
        ("/api/v1/journal/mood", "updated_since"),
        ("/api/v1/journal/mood/history", "updated_since"),
    ],
)
@pytest.mark.parametrize("value", ["2026-11-20T12:00:00", "yesterday"])
def test_updated_since_must_be_an_instant_with_an_offset(
    auth_client, url, param, value
):
    response = auth_client.get(url, {param: value})

    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {param}


def test_gratitude_delta_sync(auth_client, user, other_user):
    with time_machine.travel(T0, tick=False):
        GratitudeEntryFactory(user=user)
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        newer = GratitudeEntryFactory(user=user)
        GratitudeEntryFactory(user=other_user)

    rows = auth_client.get(
        "/api/v1/journal/gratitude", {"updated_since": "2026-11-20T12:30:00+00:00"}
    ).json()["results"]

    assert [(r["id"], r["updated_at"]) for r in rows] == [
        (newer.pk, "2026-11-20T13:00:00Z")
    ]


def test_a_retried_create_of_a_deleted_entry_returns_its_tombstone(auth_client):
    client_id = str(uuid.uuid4())
    first = auth_client.post("/api/v1/journal", {"body": "x", "client_id": client_id})
    auth_client.delete(f"/api/v1/journal/{first.json()['id']}")

    again = auth_client.post("/api/v1/journal", {"body": "x", "client_id": client_id})

    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["body"] == ""
    assert again.json()["deleted_at"] is not None
    assert JournalEntry.objects.count() == 1


def test_mood_delta_sync_narrows_the_entries_not_the_days(auth_client, user):
    with time_machine.travel(T0, tick=False):
        earlier = MoodEntryFactory(user=user, mood="low")
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        later = MoodEntryFactory(user=user, mood="great")
        response = auth_client.get(
            "/api/v1/journal/mood", {"updated_since": "2026-11-20T12:30:00Z"}
        )

    body = response.json()
    assert response.status_code == 200
    assert [(e["id"], e["updated_at"]) for e in body["entries"]] == [
        (later.pk, "2026-11-20T13:00:00Z")
    ]
    assert sum(day["entries_count"] for day in body["days"]) == 2
    assert earlier.pk not in {e["id"] for e in body["entries"]}
