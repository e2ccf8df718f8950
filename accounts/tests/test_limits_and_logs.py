from __future__ import annotations

import io
import logging

import pytest
from django.conf import settings

from accounts.tests.conftest import LOGIN, ME
from kaya.logging import JsonFormatter, RedactSecretsFilter
from kaya.throttles import AnonBurstThrottle

pytestmark = pytest.mark.django_db

VERIFY = "/api/v1/auth/verify-email/"


def test_default_rates_match_the_product():
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]

    assert rates["anon"] == "100/15m"
    assert rates["user"] == "1000/15m"
    assert settings.ACCOUNTS_LOGIN_MAX_FAILURES == 5
    assert settings.ACCOUNTS_LOGIN_LOCKOUT_SECONDS == 15 * 60


def test_anonymous_and_per_user_budgets_apply_across_the_api(
    api_client, auth_client, other_client, monkeypatch
):
    # Smaller budgets than the defaults, in the same ratio of anon < user.
    rates = AnonBurstThrottle.THROTTLE_RATES
    monkeypatch.setitem(rates, "anon", "3/15m")
    monkeypatch.setitem(rates, "user", "5/15m")

    anonymous = [api_client.get(f"{VERIFY}x{i}").status_code for i in range(4)]
    mine = [auth_client.get(ME).status_code for _ in range(6)]

    assert anonymous == [400, 400, 400, 429]
    # The per-user budget is higher and not shared with the anonymous one...
    assert mine == [200, 200, 200, 200, 200, 429]
    # ...nor with another user.
    assert other_client.get(ME).status_code == 200


def test_auth_endpoints_have_a_per_address_limit_that_xff_cannot_dodge(api_client):
    limit = int(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["auth"].split("/")[0])
    for i in range(limit):
        response = api_client.post(LOGIN, {}, HTTP_X_FORWARDED_FOR=f"10.1.0.{i}")
        assert response.status_code == 400

    throttled = api_client.post(LOGIN, {}, HTTP_X_FORWARDED_FOR="10.2.0.1")

    assert throttled.status_code == 429
    assert throttled.json()["error"]["code"] == "throttled"
    assert int(throttled["Retry-After"]) > 0


def _formatted_log_lines(records) -> str:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter("%(message)s"))
    handler.addFilter(RedactSecretsFilter())
    for record in records:
        handler.handle(record)
    return stream.getvalue()


def test_logs_hold_no_password_or_link_token(api_client, user, caplog):
    token = "eyJzIjoiZmFrZSJ9:1vABCD:secretsignature"
    with caplog.at_level(logging.INFO):
        api_client.post(LOGIN, {"email": user.email, "password": "my secret pw!!"})
        api_client.post(
            f"/api/v1/auth/reset-password/{token}", {"password": "my secret pw!!"}
        )
        api_client.get(f"/api/v1/auth/verify-email/{token}")

    output = _formatted_log_lines(caplog.records)
    assert "reset-password" in output
    assert "secretsignature" not in output
    assert "my secret pw" not in output
