"""Journal tests move the clock (time_machine) far across access-token lifetimes,
so their API clients are authenticated directly rather than with a JWT minted at
the real time; the JWT path itself is covered by the accounts tests and by
test_journal_requires_authentication."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient


def _client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


@pytest.fixture
def auth_client(user) -> APIClient:
    return _client_for(user)


@pytest.fixture
def other_client(other_user) -> APIClient:
    return _client_for(other_user)
