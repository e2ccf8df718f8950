"""``kaya.api.validated`` keeps one input serializer per class and thread
between calls: each call still validates its own data against its own request,
and nothing of a call (its body, its user) outlives it."""

from __future__ import annotations

import threading

import pytest
from django.http import QueryDict
from rest_framework.exceptions import ValidationError
from rest_framework.test import APIRequestFactory

from journal.serializers import (
    JournalEntryCreateInput,
    JournalEntryListInput,
    MoodEntryCreateInput,
)
from journal.tests.factories import MoodEntryFactory
from kaya import api
from kaya.api import validated

pytestmark = pytest.mark.django_db


def _request(user):
    request = APIRequestFactory().get("/")
    request.user = user
    return request


def test_each_call_reads_its_own_requests_user(user, other_user):
    mine = MoodEntryFactory(user=user)
    body = {"body": "linked", "mood_entry_id": mine.pk}

    first = validated(JournalEntryCreateInput, dict(body), request=_request(user))
    with pytest.raises(ValidationError) as refused:
        validated(JournalEntryCreateInput, dict(body), request=_request(other_user))
    again = validated(JournalEntryCreateInput, dict(body), request=_request(user))

    assert first["mood_entry"] == again["mood_entry"] == mine
    assert refused.value.detail == {"mood_entry_id": ["Unknown mood entry."]}


def test_each_call_validates_only_its_own_data(user):
    request = _request(user)
    full = {"mood": "good", "intensity": 4, "emotions": ["calm"], "note": "n"}

    assert validated(MoodEntryCreateInput, dict(full), request=request) == {
        "mood": "good",
        "intensity": 4,
        "emotions": ["calm"],
        "note": "n",
    }
    with pytest.raises(ValidationError) as refused:
        validated(MoodEntryCreateInput, {"mood": "good"}, request=request)
    assert refused.value.detail == {"intensity": ["This field is required."]}
    # Neither the first call's values nor the second's errors remain.
    assert validated(
        MoodEntryCreateInput, {"mood": "low", "intensity": 2}, request=request
    ) == {"mood": "low", "intensity": 2}
    query = QueryDict("tag=Calm")
    assert validated(JournalEntryListInput, query, request=request) == {"tag": "calm"}
    assert validated(JournalEntryListInput, QueryDict(""), request=request) == {}


def test_nothing_of_a_call_is_kept_after_it(user):
    body = {"mood": "good", "intensity": 4, "note": "a private note"}
    validated(MoodEntryCreateInput, body, request=_request(user))
    with pytest.raises(ValidationError):
        validated(
            MoodEntryCreateInput, {**body, "intensity": 11}, request=_request(user)
        )

    kept = api._idle_serializers()[MoodEntryCreateInput]
    assert kept.context == {}
    assert not {"initial_data", "_validated_data", "_errors", "_data"} & set(vars(kept))
    assert "a private note" not in repr(vars(kept))


def test_threads_validate_with_serializers_of_their_own(user):
    request = _request(user)
    validated(MoodEntryCreateInput, {"mood": "good", "intensity": 4}, request=request)
    here = api._idle_serializers()[MoodEntryCreateInput]
    there = []

    def validate_elsewhere():
        validated(
            MoodEntryCreateInput, {"mood": "low", "intensity": 2}, request=request
        )
        there.append(api._idle_serializers()[MoodEntryCreateInput])

    thread = threading.Thread(target=validate_elsewhere)
    thread.start()
    thread.join()

    assert there and there[0] is not here
    assert api._idle_serializers()[MoodEntryCreateInput] is here


def test_a_setting_change_builds_the_fields_again(user, settings):
    request = _request(user)
    validated(MoodEntryCreateInput, {"mood": "good", "intensity": 4}, request=request)
    before = api._idle_serializers()[MoodEntryCreateInput]

    settings.LANGUAGE_CODE = "fr"
    validated(MoodEntryCreateInput, {"mood": "good", "intensity": 4}, request=request)

    assert api._idle_serializers()[MoodEntryCreateInput] is not before
