"""Authentication pays for one query or none, and every revocation holds at once.

Each test first uses the access token successfully, so that the worker's memory
of verified tokens (and, with ``AUTH_USER_CACHE_SECONDS``, of the user's row)
holds it; the revocation must still take effect on the very next request. Every
test runs twice: reading the user row on every request (the default without
Redis) and remembering it under the user's version (the default with Redis;
the version and the row's writers are kept in whichever cache the run has).
"""

from __future__ import annotations

import datetime as dt
import time
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from accounts import services
from accounts.authentication import (
    forget_user_rows,
    forget_verified_tokens,
    user_by_pk,
    user_row_changed,
)
from accounts.models import User
from accounts.tests.conftest import ME, bearer_client, login
from accounts.tests.factories import TEST_PASSWORD, UserFactory
from kaya.testing import redis_commands_sent

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "another calm river at dusk 7"


@pytest.fixture(autouse=True, params=[0, 60], ids=["row-read", "row-remembered"])
def remembered_seconds(request, settings):
    settings.AUTH_USER_CACHE_SECONDS = request.param
    forget_verified_tokens()
    forget_user_rows()
    yield request.param
    forget_verified_tokens()
    forget_user_rows()


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


def test_an_authenticated_request_reads_the_user_in_one_query_or_none(
    signed_in, user, remembered_seconds, django_assert_num_queries
):
    # Remembered: the row read by the first request is served while current.
    with django_assert_num_queries(0 if remembered_seconds else 1):
        response = signed_in.get(ME)

    assert response.status_code == 200
    assert response.json()["id"] == user.pk


def test_authentication_returns_the_same_user_as_the_orm(signed_in, user):
    for loaded in (user_by_pk(user.pk), user_by_pk(user.pk)):  # read, remembered
        _assert_same_user(loaded, User.objects.get(pk=user.pk))
    assert user_by_pk(user.pk + 10_000) is None


def _assert_same_user(loaded, expected):
    assert loaded is not None
    assert loaded.__dict__.keys() == expected.__dict__.keys()
    for name, value in expected.__dict__.items():
        if name != "_state":
            assert getattr(loaded, name) == value, name
    assert loaded._state.adding is False
    assert loaded._state.db == "default"


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


def test_an_inactive_flag_alone_refuses_a_remembered_token(
    signed_in, user, remembered_seconds
):
    # Without the epoch bump that user_deactivate also does. A queryset update
    # bypasses the model's signals, so one that changes a user row says so.
    User.objects.filter(pk=user.pk).update(is_active=False)
    if remembered_seconds:
        user_row_changed(user.pk)

    _refused_with(signed_in, "user_inactive")


def test_an_inactive_flag_saved_as_the_admin_does_refuses_at_once(signed_in, user):
    user.is_active = False
    user.save()

    _refused_with(signed_in, "user_inactive")


def test_a_profile_change_is_seen_by_the_next_request(signed_in):
    changed = signed_in.patch(ME, {"display_name": "Someone new"}, format="json")
    assert changed.status_code == 200

    assert signed_in.get(ME).json()["display_name"] == "Someone new"


def test_a_users_own_view_cannot_change_the_remembered_row(signed_in, user):
    # Each request gets its own instance: a view that changes request.user
    # without saving leaves nothing behind for the next one.
    first = user_by_pk(user.pk)
    first.display_name = "not saved"

    assert user_by_pk(user.pk).display_name == user.display_name
    assert signed_in.get(ME).json()["display_name"] == user.display_name


def test_a_remembered_rows_values_are_immutable(signed_in, user, remembered_seconds):
    # The remembered values are shared by every request the worker serves.
    from accounts.authentication import _rows

    immutable = (str, int, bool, float, Decimal, dt.datetime, dt.date, dt.time)
    assert user_by_pk(user.pk) is not None
    if remembered_seconds:
        values = _rows[user.pk][2]
        assert isinstance(values, tuple)
        assert all(v is None or isinstance(v, immutable) for v in values)


def test_a_row_changed_behind_djangos_back_is_served_at_most_the_configured_time(
    signed_in, user, remembered_seconds, settings
):
    # A change made without the model or user_row_changed (SQL in psql) is
    # seen at once when the row is read on every request; a remembered row is
    # served until its time is up, and the test lets that time pass.
    if remembered_seconds:
        settings.AUTH_USER_CACHE_SECONDS = 1
        forget_user_rows()
        assert signed_in.get(ME).status_code == 200
    User.objects.filter(pk=user.pk).update(is_active=False)
    if remembered_seconds:
        assert signed_in.get(ME).status_code == 200
        time.sleep(1.1)

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


# ---------------------------------------------------------------------------
# On Redis: one round trip for the remembered row's version and the throttle
# ---------------------------------------------------------------------------
@pytest.fixture
def three_per_minute(monkeypatch):
    from kaya.throttles import UserBurstThrottle

    monkeypatch.setitem(UserBurstThrottle.THROTTLE_RATES, "user", "3/m")


@pytest.mark.redis
def test_on_redis_a_remembered_user_costs_one_round_trip_and_no_query(
    signed_in, remembered_seconds, monkeypatch, django_assert_num_queries
):
    sent = redis_commands_sent(monkeypatch)

    with django_assert_num_queries(0 if remembered_seconds else 1):
        assert signed_in.get(ME).status_code == 200

    # The version asked and the user throttle counted by one script; without
    # remembering, the throttle's own script.
    assert sent == ["EVALSHA"]


@pytest.mark.redis
def test_on_redis_a_user_read_from_the_database_costs_one_round_trip_and_a_query(
    signed_in, monkeypatch, django_assert_num_queries
):
    # A worker that does not remember the row (its first request from this
    # user): the version is read in the throttle's round trip, then the row.
    forget_user_rows()
    sent = redis_commands_sent(monkeypatch)

    with django_assert_num_queries(1):
        assert signed_in.get(ME).status_code == 200

    assert sent == ["EVALSHA"]


@pytest.mark.redis
def test_on_redis_the_user_throttle_counts_each_request_once(
    api_client, user, three_per_minute
):
    client = bearer_client(login(api_client, user.email).json()["access"])

    # Whether the row is read or remembered, the request is counted once: in
    # authentication's round trip when it reads the version, else by the
    # throttle's own.
    assert [client.get(ME).status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get(ME)

    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60


@pytest.mark.redis
def test_on_redis_a_refused_token_is_not_counted_against_its_user(
    api_client, user, three_per_minute
):
    old = bearer_client(login(api_client, user.email).json()["access"])
    assert old.get(ME).status_code == 200
    services.sessions_revoke_all(user=user, reason="test")
    new = bearer_client(login(api_client, user.email).json()["access"])

    # The first reads the row (and remembers it), the next are refused by the
    # remembered row: neither is counted, though the version's round trip
    # counted each before the row refused it.
    assert [old.get(ME).status_code for _ in range(4)] == [401] * 4
    assert [new.get(ME).status_code for _ in range(2)] == [200, 200]
    assert new.get(ME).status_code == 429


def test_while_a_write_to_the_row_is_under_way_every_request_reads_it(
    signed_in,
    user,
    remembered_seconds,
    django_assert_num_queries,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks() as after_commit:
        user.display_name = "Under way"
        user.save(update_fields=["display_name"])
        # Registered before it is made, taken off once it commits: until then
        # no worker serves or remembers the row.
        for _ in range(2):
            with django_assert_num_queries(1):
                assert signed_in.get(ME).json()["display_name"] == "Under way"
    for callback in after_commit:
        callback()

    with django_assert_num_queries(1):
        assert signed_in.get(ME).status_code == 200
    with django_assert_num_queries(0 if remembered_seconds else 1):
        assert signed_in.get(ME).json()["display_name"] == "Under way"


@pytest.mark.redis
def test_on_redis_a_write_redis_cannot_register_is_a_503_and_changes_nothing(
    signed_in, user, remembered_seconds, settings
):
    from kaya.cache import reset_breakers
    from kaya.testing import free_port

    settings.CACHES = {
        "default": {
            **settings.CACHES["default"],
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
        }
    }
    reset_breakers()

    changed = signed_in.patch(ME, {"display_name": "Not saved"}, format="json")

    user.refresh_from_db()
    if remembered_seconds:
        assert changed.status_code == 503
        assert changed.json()["error"]["code"] == "service_unavailable"
        assert user.display_name != "Not saved"
    else:
        # Nothing is remembered: the write needs no registration.
        assert changed.status_code == 200
        assert user.display_name == "Not saved"
    # Reads still answer while Redis is away.
    assert signed_in.get(ME).status_code == 200
    reset_breakers()


@pytest.mark.redis
def test_on_redis_a_sign_in_works_while_redis_cannot_register_writes(
    api_client, user, remembered_seconds, settings
):
    from accounts.exceptions import UserRowsUnavailableError
    from kaya.cache import reset_breakers
    from kaya.testing import free_port

    settings.CACHES = {
        "default": {
            **settings.CACHES["default"],
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
        }
    }
    reset_breakers()

    # The API's login, and last_login saved alone (Django's login signal).
    assert login(api_client, user.email).status_code == 200
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])
    user.display_name = "Not saved"
    if remembered_seconds:
        with pytest.raises(UserRowsUnavailableError):
            user.save(update_fields=["display_name"])
    else:
        user.save(update_fields=["display_name"])
    reset_breakers()
