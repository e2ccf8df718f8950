from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from coaching.tests.factories import TherapistFactory
from conftest import bearer

# A Monday, three weeks before London's clocks go forward (2027-03-28) and one
# week before New York's (2027-03-14).
NOW = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def therapist(db):
    return TherapistFactory()


@pytest.fixture
def therapist_user(db, therapist):
    user = UserFactory()
    therapist.user = user
    therapist.save(update_fields=["user"])
    return user


@pytest.fixture
def therapist_client(therapist_user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=bearer(therapist_user))
    return client


@pytest.fixture
def gemini(settings):
    """The Gemini provider pointed at a local stub server (see gemini_stub)."""
    from coaching.ai import providers
    from coaching.tests.gemini_stub import GeminiStub

    stub = GeminiStub().start()
    settings.GEMINI_API_KEY = "test-key"
    settings.GEMINI_BASE_URL = stub.base_url
    settings.GEMINI_TIMEOUT_MS = 2000
    settings.GEMINI_BACKOFF_MS = 0
    settings.GEMINI_MAX_ATTEMPTS = 3
    providers.breaker_reset()
    try:
        yield stub
    finally:
        stub.stop()
        providers.breaker_reset()
