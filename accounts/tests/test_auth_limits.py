"""Limits on the anonymous auth endpoints that are not per client address:
password reset emails per account, refreshes per login (token family)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from rest_framework.test import APIClient

from accounts.models import AuditLog, EmailDelivery
from accounts.tests.conftest import REFRESH, login
from accounts.tests.factories import UserFactory
from kaya.throttles import AnonBurstThrottle

pytestmark = pytest.mark.django_db

RESET_REQUEST = "/api/v1/auth/request-password-reset"
NAT = {"REMOTE_ADDR": "203.0.113.7"}


def _address(i: int) -> dict[str, str]:
    return {"REMOTE_ADDR": f"198.51.100.{i}"}


# --- password reset: per account ---------------------------------------------------
def test_reset_requests_from_many_addresses_send_one_account_at_most_three_links(
    api_client, user, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        known = [
            api_client.post(RESET_REQUEST, {"email": user.email}, **_address(i))
            for i in range(10)
        ]
        unknown = api_client.post(
            RESET_REQUEST, {"email": "ghost@example.com"}, **_address(99)
        )

    assert [m.to for m in mailoutbox] == [[user.email]] * 3
    assert EmailDelivery.objects.filter(user=user, kind="password_reset").count() == 3
    # Limited or not, known or not: one answer.
    assert {r.status_code for r in known} == {unknown.status_code} == {202}
    assert {r.content for r in known} == {unknown.content}
    limited = AuditLog.objects.filter(
        action="password_reset_request", actor=user, outcome="failure"
    )
    assert [row.metadata for row in limited] == [{"reason": "per_account_limit"}] * 7


def test_the_reset_limit_is_per_account_and_frees_up_after_its_window(
    api_client, user, other_user, mailoutbox, django_capture_on_commit_callbacks
):
    start = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    with (
        time_machine.travel(start, tick=False) as traveller,
        django_capture_on_commit_callbacks(execute=True),
    ):
        for i in range(4):
            api_client.post(RESET_REQUEST, {"email": user.email}, **_address(i))
        api_client.post(RESET_REQUEST, {"email": other_user.email}, **_address(9))
        traveller.shift(timedelta(minutes=59))
        api_client.post(RESET_REQUEST, {"email": user.email}, **_address(5))
        traveller.shift(timedelta(minutes=1))
        api_client.post(RESET_REQUEST, {"email": user.email}, **_address(6))

    assert [m.to[0] for m in mailoutbox] == [user.email] * 3 + [
        other_user.email,
        user.email,
    ]


# --- refresh: per login, not per address -------------------------------------------
@pytest.fixture
def tight_rates(monkeypatch):
    rates = AnonBurstThrottle.THROTTLE_RATES
    monkeypatch.setitem(rates, "anon", "2/15m")
    monkeypatch.setitem(rates, "auth", "2/15m")
    monkeypatch.setitem(rates, "auth_refresh", "2/15m")


def test_users_behind_one_address_are_not_limited_together_on_refresh(tight_rates):
    users = UserFactory.create_batch(3)
    # Logged in from different addresses (the login limit is per address).
    sessions = [
        login(APIClient(), u.email, **_address(i)).json() for i, u in enumerate(users)
    ]

    statuses = [
        APIClient().post(REFRESH, {"refresh": s["refresh"]}, **NAT).status_code
        for s in sessions
    ]

    assert statuses == [200, 200, 200]


def test_one_login_is_limited_on_refresh_whatever_its_address(tight_rates, user):
    # The clock stands still, so Retry-After is the whole window however long
    # the requests take on a loaded machine.
    with time_machine.travel(datetime.now(UTC), tick=False):
        client = APIClient()
        first = login(client, user.email, **_address(1)).json()
        second = login(client, user.email, **_address(2)).json()
        refresh = first["refresh"]
        statuses = []
        for i in range(3):
            response = client.post(REFRESH, {"refresh": refresh}, **_address(10 + i))
            statuses.append(response.status_code)
            if response.status_code == 200:
                refresh = response.json()["refresh"]
        refused = client.post(REFRESH, {"refresh": refresh}, **_address(20))
        # Another login of the same user has its own budget.
        other_login = client.post(
            REFRESH, {"refresh": second["refresh"]}, **_address(10)
        )

    assert statuses == [200, 200, 429]
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "throttled"
    assert refused["Retry-After"] == "900"
    assert other_login.status_code == 200


def test_refresh_tokens_that_do_not_verify_are_limited_per_address(tight_rates):
    client = APIClient()

    statuses = [
        client.post(REFRESH, {"refresh": f"not-a-token-{i}"}, **NAT).status_code
        for i in range(3)
    ]
    elsewhere = client.post(REFRESH, {"refresh": "nope"}, **_address(1))

    assert statuses == [401, 401, 429]
    assert elsewhere.status_code == 401


def test_a_malformed_refresh_body_is_a_400(api_client):
    response = api_client.post(
        REFRESH, data="{not json", content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"
