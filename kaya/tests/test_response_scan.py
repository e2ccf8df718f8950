"""The response scan (kaya/tests/response_scan.py) that the root conftest.py runs
on every API response of the suite: each kind of leak is refused, and what the
API legitimately returns passes."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from django.http import HttpResponse, JsonResponse

from accounts.jwt import access_token_for, refresh_token_new
from kaya.fields import encrypt_str
from kaya.tests.response_scan import ResponseLeakError, scan_response

pytestmark = pytest.mark.django_db

ME = "/api/v1/users/me"
LOGIN = "/api/v1/auth/login"


def _as(response: HttpResponse, user=None) -> HttpResponse:
    response.wsgi_request = SimpleNamespace(user=user)  # type: ignore[attr-defined]
    return response


def _scan(path, data, user=None, sent=b""):
    scan_response("GET", path, sent, _as(JsonResponse(data), user))


def test_a_password_hash_is_refused(user):
    with pytest.raises(ResponseLeakError, match="a password hash"):
        _scan(ME, {"note": user.password}, user)


@pytest.mark.parametrize(
    "encoded",
    [
        "argon2$argon2id$v=19$m=102400,t=2,p=8$c29tZXNhbHQ$aGFzaGhhc2g",
        "pbkdf2_sha256$1000000$somesalt$aGFzaGhhc2hoYXNo",
        "md5$somesalt$0123456789abcdef0123456789abcdef",
    ],
)
def test_every_hasher_encoding_is_recognised(user, encoded):
    with pytest.raises(ResponseLeakError, match="a password hash"):
        _scan(ME, {"x": encoded}, user)


def test_another_users_access_token_is_refused(user, other_user):
    with pytest.raises(ResponseLeakError, match="a JWT of user"):
        _scan(ME, {"token": str(access_token_for(other_user))}, user)


def test_the_users_own_access_token_passes(user):
    _scan(ME, {"token": str(access_token_for(user))}, user)


def test_a_refresh_token_outside_the_token_endpoints_is_refused(user):
    refresh = refresh_token_new(user=user)
    pair = {"access": str(refresh.access_token), "refresh": str(refresh)}

    with pytest.raises(ResponseLeakError, match="refresh token outside"):
        _scan(ME, pair, user)
    # The login answers with one.
    _scan(LOGIN, pair)


def test_tokens_of_two_users_in_one_response_are_refused(user, other_user):
    with pytest.raises(ResponseLeakError, match="several users"):
        _scan(
            LOGIN,
            {"a": str(access_token_for(user)), "b": str(access_token_for(other_user))},
        )


def test_another_users_email_is_refused(user, other_user):
    with pytest.raises(ResponseLeakError, match=f"another user \\({other_user.email}"):
        _scan(ME, {"friend": other_user.email.upper()}, user)


def test_own_email_unknown_addresses_and_echoed_input_pass(user, other_user):
    _scan(ME, {"email": user.email, "help": "support@kaya.example"}, user)
    # Anonymous: the address the request itself sent (login, password reset).
    sent = json.dumps({"email": other_user.email}).encode()
    _scan(LOGIN, {"email": other_user.email}, None, sent)


@pytest.mark.parametrize("field", ["password", "token_epoch", "is_superuser", "jti"])
def test_internal_fields_are_refused_at_any_depth(user, field):
    with pytest.raises(ResponseLeakError, match=f"internal fields \\['{field}'\\]"):
        _scan(ME, {"results": [{"profile": {field: 1}}]}, user)


def test_an_error_naming_an_input_field_passes(user):
    _scan(ME, {"error": {"code": "validation_error", "fields": {"password": ["x"]}}})


def test_ciphertext_is_refused(user):
    ciphertext = encrypt_str("my private journal")

    with pytest.raises(ResponseLeakError, match="Fernet ciphertext"):
        _scan(ME, {"body": ciphertext}, user)


def test_the_suite_scans_real_responses(auth_client, user, monkeypatch):
    """The conftest fixture is on: a view that leaks fails the test."""
    from accounts import selectors

    real = selectors.user_stats

    def leaky(*, user):
        return {**real(user=user), "password": user.password}

    monkeypatch.setattr(selectors, "user_stats", leaky)

    with pytest.raises(ResponseLeakError, match="a password hash"):
        auth_client.get("/api/v1/users/me/stats")
