from __future__ import annotations

import pytest
from rest_framework.test import APIClient

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
