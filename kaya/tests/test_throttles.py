"""The project's throttles: one counter per client and window, one round trip."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core.cache import cache

from accounts.tests.factories import UserFactory
from kaya.testing import redis_commands_sent
from kaya.throttles import AnonBurstThrottle, UserBurstThrottle

pytestmark = pytest.mark.django_db


class TwicePerMinute(UserBurstThrottle):
    rate = "2/m"


class AnonTwicePerMinute(AnonBurstThrottle):
    rate = "2/m"


def _request(user=None, address="198.51.100.7"):
    from django.contrib.auth.models import AnonymousUser

    return SimpleNamespace(
        user=user or AnonymousUser(), META={"REMOTE_ADDR": address}, headers={}
    )


def _three(throttle_class, request):
    outcomes = []
    for _ in range(3):
        throttle = throttle_class()
        outcomes.append(throttle.allow_request(request, None))
    return outcomes, throttle


def _assert_rate_holds(throttle_class, request):
    outcomes, refused = _three(throttle_class, request)

    assert outcomes == [True, True, False]
    assert 0 < refused.wait() <= 60


def test_the_user_throttle_refuses_past_its_rate_with_a_wait():
    _assert_rate_holds(TwicePerMinute, _request(UserFactory()))


def test_the_user_throttle_counts_each_user_apart():
    first, second = UserFactory(), UserFactory()
    _three(TwicePerMinute, _request(first))

    assert TwicePerMinute().allow_request(_request(second), None) is True


def test_the_anon_throttle_counts_addresses_and_leaves_users_alone():
    _assert_rate_holds(AnonTwicePerMinute, _request(address="198.51.100.8"))
    user = UserFactory()
    outcomes, _ = _three(AnonTwicePerMinute, _request(user, address="198.51.100.8"))

    assert outcomes == [True, True, True]


@pytest.mark.redis
def test_on_redis_the_user_throttle_refuses_past_its_rate_with_a_wait():
    _assert_rate_holds(TwicePerMinute, _request(UserFactory()))


@pytest.mark.redis
def test_on_redis_a_throttle_check_is_one_round_trip(monkeypatch):
    request = _request(UserFactory())
    TwicePerMinute().allow_request(request, None)  # loads the script once
    sent = redis_commands_sent(monkeypatch)

    throttle = TwicePerMinute()
    assert throttle.allow_request(request, None) is True
    assert sent == ["EVALSHA"]
    assert throttle.allow_request(request, None) is False
    assert 0 < throttle.wait() <= 60
    assert sent == ["EVALSHA", "EVALSHA"]


@pytest.mark.redis
def test_on_redis_a_server_without_the_script_is_given_it(monkeypatch):
    from django_redis import get_redis_connection

    request = _request(UserFactory())
    TwicePerMinute().allow_request(request, None)
    get_redis_connection("default").script_flush()
    sent = redis_commands_sent(monkeypatch)

    throttle = TwicePerMinute()
    assert throttle.allow_request(request, None) is True
    assert sent == ["EVALSHA", "SCRIPT", "EVALSHA"]
    assert throttle.allow_request(request, None) is False
    assert 0 < throttle.wait() <= 60


@pytest.mark.redis
def test_on_redis_a_connection_the_server_closed_is_replaced_not_a_failure():
    from django_redis import get_redis_connection

    from kaya.cache import breaker_for

    client = get_redis_connection("default")
    request = _request(UserFactory())
    TwicePerMinute().allow_request(request, None)
    pool = client.connection_pool
    connection = pool.get_connection()
    connection.send_command("CLIENT", "ID")
    connection_id = connection.read_response()
    pool.release(connection)
    client.execute_command("CLIENT", "KILL", "ID", connection_id)

    # Counted (not let through by a failing call): the third is refused.
    assert TwicePerMinute().allow_request(request, None) is True
    throttle = TwicePerMinute()
    assert throttle.allow_request(request, None) is False
    assert 0 < throttle.wait() <= 60
    assert not breaker_for(pool.connection_kwargs).is_open()


@pytest.mark.redis
def test_on_redis_the_window_expires_with_the_rate_period():
    from django_redis import get_redis_connection

    user = UserFactory()
    TwicePerMinute().allow_request(_request(user), None)
    key = cache.make_key(f"throttle-window_user_{user.pk}")
    left_ms = get_redis_connection("default").pttl(key)

    assert 0 < left_ms <= 60_000
