"""Authentication pays for one query, and every revocation holds at once.

Each test first uses the access token successfully, so that the worker's memory
of verified tokens holds it; the revocation must still take effect on the very
next request.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from accounts import services
from accounts.authentication import forget_verified_tokens
from accounts.models import User
from accounts.tests.conftest import ME, bearer_client, login
from accounts.tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "another calm river at dusk 7"


@pytest.fixture(autouse=True)
def _fresh_memory():
    forget_verified_tokens()
    yield
    forget_verified_tokens()


@pytest.fixture
def signed_in(api_client, user):
    tokens = login(api_client, user.email).json()
    client = bearer_client(tokens["access"])
    assert client.get(ME).status_code == 200
    return client


def _refused_with(client, code):
    response = client.get(ME)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == code


def test_an_authenticated_request_reads_the_user_in_one_query(
    signed_in, user, django_assert_num_queries
):
    with django_assert_num_queries(1):
        response = signed_in.get(ME)

    assert response.status_code == 200
    assert response.json()["id"] == user.pk


def test_authentication_returns_the_same_user_as_the_orm(signed_in, user):
    from accounts.authentication import user_by_pk

    loaded = user_by_pk(user.pk)
    expected = User.objects.get(pk=user.pk)

    assert loaded is not None
    assert loaded.__dict__.keys() == expected.__dict__.keys()
    for name, value in expected.__dict__.items():
        if name != "_state":
            assert getattr(loaded, name) == value, name
    assert loaded._state.adding is False
    assert loaded._state.db == "default"
    assert user_by_pk(user.pk + 10_000) is None


def test_logout_all_refuses_a_remembered_token_at_once(signed_in):
    assert signed_in.post("/api/v1/auth/logout-all").status_code == 204

    _refused_with(signed_in, "token_revoked")


def test_a_password_change_refuses_a_remembered_token_at_once(api_client, user):
    first = bearer_client(login(api_client, user.email).json()["access"])
    second = bearer_client(login(api_client, user.email).json()["access"])
    assert first.get(ME).status_code == 200
    assert second.get(ME).status_code == 200

    changed = first.post(
        "/api/v1/auth/change-password",
        {"current_password": TEST_PASSWORD, "new_password": NEW_PASSWORD},
    )

    assert changed.status_code == 200
    _refused_with(first, "token_revoked")
    _refused_with(second, "token_revoked")
    assert bearer_client(changed.json()["access"]).get(ME).status_code == 200


def test_deactivation_refuses_a_remembered_token_at_once(signed_in, user):
    services.user_deactivate(user=user)

    _refused_with(signed_in, "user_inactive")


def test_an_inactive_flag_alone_refuses_a_remembered_token(signed_in, user):
    # Without the epoch bump that user_deactivate also does.
    User.objects.filter(pk=user.pk).update(is_active=False)

    _refused_with(signed_in, "user_inactive")


def test_deletion_refuses_a_remembered_token_at_once(signed_in, user):
    response = signed_in.delete("/api/v1/users/me", {"password": TEST_PASSWORD})
    assert response.status_code == 204

    _refused_with(signed_in, "user_not_found")


def test_a_remembered_token_still_expires(signed_in):
    with time_machine.travel(timezone.now() + timedelta(minutes=15, seconds=5)):
        response = signed_in.get(ME)

    assert response.status_code == 401


def test_a_remembered_token_is_not_shared_with_another_user(api_client, user):
    other = UserFactory()
    mine = bearer_client(login(api_client, user.email).json()["access"])
    theirs = bearer_client(login(api_client, other.email).json()["access"])

    assert mine.get(ME).json()["id"] == user.pk
    assert theirs.get(ME).json()["id"] == other.pk
    assert mine.get(ME).json()["id"] == user.pk
