"""Limits at their exact edge: the request body size, and the mood intensity at
each layer that enforces it (the API's input validation, the database)."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from journal.models import MoodEntry
from journal.tests.factories import MoodEntryFactory

MIB = 1024 * 1024
ECHO = "/api/v1/test/echo"
MOOD = "/api/v1/journal/mood"


def _json_body(size: int) -> str:
    """A valid JSON object of exactly ``size`` bytes (padded with whitespace)."""
    payload = '{"name": "calm", "count": 3}'
    return payload + " " * (size - len(payload))


@pytest.mark.django_db
@pytest.mark.urls("kaya.tests.urls")
def test_a_body_of_exactly_one_mebibyte_is_accepted(api_client, settings):
    assert settings.API_MAX_BODY_BYTES == MIB
    body = _json_body(MIB)
    assert len(body.encode()) == MIB

    response = api_client.post(ECHO, data=body, content_type="application/json")

    assert response.status_code == 200
    assert response.json() == {"name": "calm", "count": 3}


@pytest.mark.django_db
@pytest.mark.urls("kaya.tests.urls")
def test_one_byte_over_a_mebibyte_is_413_in_the_error_shape(api_client, settings):
    assert settings.API_MAX_BODY_BYTES == MIB

    response = api_client.post(
        ECHO, data=_json_body(MIB + 1), content_type="application/json"
    )

    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert error == {
        "code": "request_too_large",
        "message": f"The request body is larger than {MIB} bytes.",
        "request_id": response["X-Request-ID"],
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("intensity", "status"), [(0, 400), (1, 201), (10, 201), (11, 400)]
)
def test_the_api_accepts_mood_intensity_from_1_to_10(
    auth_client, user, intensity, status
):
    response = auth_client.post(
        MOOD, {"mood": "neutral", "intensity": intensity}, format="json"
    )

    assert response.status_code == status, response.json()
    if status == 400:
        assert list(response.json()["error"]["fields"]) == ["intensity"]
        assert not MoodEntry.objects.filter(user=user).exists()
    else:
        assert MoodEntry.objects.get(user=user).intensity == intensity


@pytest.mark.django_db
@pytest.mark.parametrize("intensity", [0, 11])
def test_the_database_refuses_a_mood_intensity_outside_1_to_10(intensity):
    with (
        pytest.raises(IntegrityError, match="journal_mood_intensity_1_10"),
        transaction.atomic(),
    ):
        MoodEntryFactory(intensity=intensity)

    assert not MoodEntry.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("intensity", [1, 10])
def test_the_database_stores_a_mood_intensity_at_either_bound(intensity):
    entry = MoodEntryFactory(intensity=intensity)

    assert MoodEntry.objects.get(pk=entry.pk).intensity == intensity
