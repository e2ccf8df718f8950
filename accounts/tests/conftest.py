from __future__ import annotations

import re

import pytest
from rest_framework.test import APIClient

from accounts import events
from accounts.tests.factories import TEST_PASSWORD

REGISTER = "/api/v1/auth/register"
LOGIN = "/api/v1/auth/login"
REFRESH = "/api/v1/auth/refresh"
ME = "/api/v1/users/me"

STRONG_PASSWORD = "a calm river at dawn 42"


def register_payload(**overrides):
    payload = {
        "email": "Ana@Example.com",
        "password": STRONG_PASSWORD,
        "display_name": "Ana",
        "timezone": "Europe/Madrid",
        "locale": "es",
    }
    payload.update(overrides)
    return payload


def login(client: APIClient, email: str, password: str = TEST_PASSWORD, **extra):
    return client.post(LOGIN, {"email": email, "password": password}, **extra)


def link_token(message, kind: str) -> str:
    """The token of the ``/<kind>/<token>`` link in an email's text body."""
    match = re.search(rf"/{kind}/(\S+)", message.body)
    assert match, message.body
    return match.group(1)


def bearer_client(access: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


@pytest.fixture
def session(api_client, user):
    """A real login of `user`: {"access", "refresh", "user"}."""
    response = login(api_client, user.email)
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def revocations():
    """(user_id, reason) of each ``user_sessions_revoked`` sent during the test."""
    received: list[tuple[int, str]] = []

    def receiver(sender, user_id, reason, **kwargs):
        received.append((user_id, reason))

    uid = "accounts-tests-revocations"
    events.user_sessions_revoked.connect(receiver, weak=False, dispatch_uid=uid)
    yield received
    events.user_sessions_revoked.disconnect(dispatch_uid=uid)
