from __future__ import annotations

import time
from datetime import timedelta

import jwt as pyjwt
import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken
from rest_framework_simplejwt.tokens import AccessToken

from accounts import events
from accounts.models import AuditLog, LoginFailure, TokenFamily, User
from accounts.tests.conftest import (
    LOGIN,
    ME,
    REFRESH,
    REGISTER,
    STRONG_PASSWORD,
    bearer_client,
    link_token,
    login,
    register_payload,
)
from accounts.tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


# --- register -----------------------------------------------------------------
@pytest.mark.argon2
def test_register_creates_an_unverified_user_that_logs_in_once_verified(
    api_client, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(REGISTER, register_payload())

    assert response.status_code == 202
    assert response.json() == {
        "detail": "Check your email: the link in it confirms the address, then log in."
    }
    user = User.objects.get()
    assert user.email == "ana@example.com"
    assert user.timezone == "Europe/Madrid"
    assert user.locale == "es"
    assert user.email_verified_at is None
    assert user.password.startswith("argon2")
    # Rendered in the locale chosen at sign-up (es).
    assert sorted(m.subject for m in mailoutbox) == [
        "Confirma tu dirección de correo",
        "Te damos la bienvenida a KAYA",
    ]
    assert AuditLog.objects.filter(action="register", actor=user).count() == 1

    early = login(api_client, "ana@example.com", STRONG_PASSWORD)
    assert early.status_code == 401
    assert early.json()["error"]["code"] == "invalid_credentials"

    token = link_token(
        next(m for m in mailoutbox if "verify-email" in m.body), "verify-email"
    )
    assert api_client.get(f"/api/v1/auth/verify-email/{token}").status_code == 200
    session = login(api_client, "ana@example.com", STRONG_PASSWORD)
    assert session.status_code == 200
    assert set(session.json()) == {"user", "access", "refresh"}
    me = bearer_client(session.json()["access"]).get(ME)
    assert me.status_code == 200
    assert me.json()["id"] == user.pk
    assert me.json()["email_verified"] is True


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"password": "short"}, "password"),
        ({"password": "password123456"}, "password"),
        ({"password": "ana@example.com"}, "password"),
        ({"email": "not-an-email"}, "email"),
        ({"locale": "xx"}, "locale"),
        ({"display_name": ""}, "display_name"),
    ],
)
def test_register_rejects_bad_input(api_client, overrides, field):
    response = api_client.post(REGISTER, register_payload(**overrides))

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert list(error["fields"]) == [field]
    assert User.objects.count() == 0


def test_register_with_a_taken_address_answers_as_for_a_new_one_and_tells_the_owner(
    api_client, user, mailoutbox, django_capture_on_commit_callbacks
):
    password_hash = user.password
    headers = {"HTTP_X_REQUEST_ID": "fixed"}
    with django_capture_on_commit_callbacks(execute=True):
        new = api_client.post(
            REGISTER, register_payload(email="new@example.com"), **headers
        )
        taken = api_client.post(
            REGISTER, register_payload(email=user.email.upper()), **headers
        )

    assert new.status_code == taken.status_code == 202
    assert new.content == taken.content
    assert User.objects.count() == 2
    user.refresh_from_db()
    assert user.password == password_hash
    assert user.display_name != "Ana"
    to_owner = [m for m in mailoutbox if m.to == [user.email]]
    assert [m.subject for m in to_owner] == [
        "Someone tried to sign up with your email address"
    ]
    assert "already has one. No new account was created." in to_owner[0].body
    assert f"{settings.FRONTEND_URL}/login" in to_owner[0].body
    attempt = AuditLog.objects.get(action="register", outcome="failure")
    assert attempt.actor_id == user.pk
    assert attempt.metadata == {"reason": "email_taken"}


def test_repeated_sign_ups_with_a_taken_address_send_the_owner_three_notices(
    api_client, user, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        statuses = [
            api_client.post(
                REGISTER,
                register_payload(email=user.email),
                REMOTE_ADDR=f"198.51.100.{i}",
            ).status_code
            for i in range(6)
        ]

    assert statuses == [202] * 6
    assert [m.to for m in mailoutbox] == [[user.email]] * 3


def test_the_api_login_of_an_unverified_address_is_a_401_like_a_wrong_password(
    api_client, mailoutbox, django_capture_on_commit_callbacks
):
    unverified = UserFactory(email_verified_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        right = login(api_client, unverified.email)
        wrong = login(api_client, unverified.email, "not the password at all")

    assert right.status_code == wrong.status_code == 401
    right_error, wrong_error = right.json()["error"], wrong.json()["error"]
    assert right_error.pop("request_id") != wrong_error.pop("request_id")
    assert (
        right_error
        == wrong_error
        == {
            "code": "invalid_credentials",
            "message": "The email or password is not correct, or the email address "
            "is not verified yet (check your inbox for the link).",
        }
    )
    # The right password earns a new verification link; the wrong one nothing.
    assert [m.to for m in mailoutbox] == [[unverified.email]]
    assert "/verify-email/" in mailoutbox[0].body
    assert LoginFailure.objects.filter(email=unverified.email).count() == 1
    refused = AuditLog.objects.get(
        action="login", metadata__reason="email_not_verified"
    )
    assert refused.actor_id == unverified.pk


# --- login --------------------------------------------------------------------
def test_login_returns_user_and_tokens(api_client, user):
    response = login(api_client, user.email.upper())

    assert response.status_code == 200
    body = response.json()
    assert body["user"]["id"] == user.pk
    assert bearer_client(body["access"]).get(ME).json()["email"] == user.email
    assert TokenFamily.objects.filter(user=user, revoked_at=None).count() == 1
    user.refresh_from_db()
    assert user.last_login is not None


def test_login_failures_are_indistinguishable(api_client, user):
    inactive = UserFactory(is_active=False)
    headers = {"HTTP_X_REQUEST_ID": "same-id"}

    unknown = login(api_client, "nobody@example.com", **headers)
    wrong = login(api_client, user.email, "wrong password!!", **headers)
    disabled = login(api_client, inactive.email, **headers)

    assert unknown.status_code == wrong.status_code == disabled.status_code == 401
    assert unknown.content == wrong.content == disabled.content
    assert unknown.json()["error"]["code"] == "invalid_credentials"


def test_login_bad_input_is_400(api_client):
    response = api_client.post(LOGIN, {"email": "a@example.com"})

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert response.json()["error"]["fields"] == {
        "password": ["This field is required."]
    }


def test_sixth_attempt_is_locked_even_with_the_right_password(api_client, user):
    for i in range(5):
        # A client-chosen X-Forwarded-For must not give it a fresh counter.
        response = login(
            api_client,
            user.email,
            "wrong password!!",
            HTTP_X_FORWARDED_FOR=f"10.0.0.{i}",
        )
        assert response.status_code == 401

    locked = login(api_client, user.email, HTTP_X_FORWARDED_FOR="10.9.9.9")

    assert locked.status_code == 429
    assert locked.json()["error"]["code"] == "login_locked"
    assert 1 <= int(locked["Retry-After"]) <= 15 * 60
    assert TokenFamily.objects.filter(user=user).count() == 0
    assert AuditLog.objects.filter(action="login_lockout", actor=user).count() == 1


def test_successful_logins_do_not_count_towards_the_lockout(api_client, user):
    for _ in range(4):
        assert login(api_client, user.email, "wrong password!!").status_code == 401
    for _ in range(3):
        assert login(api_client, user.email).status_code == 200

    assert login(api_client, user.email).status_code == 200
    assert LoginFailure.objects.count() == 4


def test_lockout_opens_after_the_window(api_client, user):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _ in range(5):
            login(api_client, user.email, "wrong password!!")
        assert login(api_client, user.email).status_code == 429

        clock.shift(timedelta(minutes=14, seconds=50))
        still = login(api_client, user.email)
        assert still.status_code == 429
        assert int(still["Retry-After"]) == 10

        clock.shift(timedelta(seconds=11))
        assert login(api_client, user.email).status_code == 200


def test_lockout_holds_with_the_cache_down(api_client, user, settings):
    # Nothing listens on port 1: every cache call fails.
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2},
        }
    }
    for _ in range(5):
        assert login(api_client, user.email, "wrong password!!").status_code == 401

    locked = login(api_client, user.email)

    assert locked.status_code == 429
    assert locked["Retry-After"]


def test_forwarded_for_is_used_only_behind_trusted_proxies(api_client, user, settings):
    login(api_client, user.email, "wrong password!!", HTTP_X_FORWARDED_FOR="6.6.6.6")
    settings.TRUSTED_PROXY_COUNT = 1
    login(
        api_client,
        user.email,
        "wrong password!!",
        HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7",
    )

    assert list(LoginFailure.objects.order_by("id").values_list("ip", flat=True)) == [
        "127.0.0.1",
        "203.0.113.7",
    ]


# --- refresh ------------------------------------------------------------------
def test_refresh_rotates_and_blacklists_the_old_token(api_client, session):
    response = api_client.post(REFRESH, {"refresh": session["refresh"]})

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access", "refresh"}
    assert body["refresh"] != session["refresh"]
    old_jti = pyjwt.decode(session["refresh"], options={"verify_signature": False})[
        "jti"
    ]
    assert BlacklistedToken.objects.filter(token__jti=old_jti).exists()
    assert bearer_client(body["access"]).get(ME).status_code == 200
    assert api_client.post(REFRESH, {"refresh": body["refresh"]}).status_code == 200


def test_replaying_a_rotated_refresh_revokes_the_family(api_client, session, user):
    first = api_client.post(REFRESH, {"refresh": session["refresh"]}).json()
    second = api_client.post(REFRESH, {"refresh": first["refresh"]}).json()

    replay = api_client.post(REFRESH, {"refresh": session["refresh"]})

    assert replay.status_code == 401
    assert replay.json()["error"]["code"] == "token_not_valid"
    # The newest descendant is dead too, and the revocation was committed.
    assert api_client.post(REFRESH, {"refresh": second["refresh"]}).status_code == 401
    family = TokenFamily.objects.get(user=user)
    assert family.revoked_reason == "reuse"
    assert AuditLog.objects.filter(
        action="token_family_revoked", actor=user, outcome="failure"
    ).exists()


def test_reuse_revokes_only_that_family(api_client, session, user):
    other = login(api_client, user.email).json()
    api_client.post(REFRESH, {"refresh": session["refresh"]})
    api_client.post(REFRESH, {"refresh": session["refresh"]})

    assert api_client.post(REFRESH, {"refresh": other["refresh"]}).status_code == 200


def test_refresh_without_a_token_is_400(api_client):
    response = api_client.post(REFRESH, {"refresh": ""})

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert list(response.json()["error"]["fields"]) == ["refresh"]


@pytest.mark.parametrize("value", ["garbage", "a.b.c"])
def test_refresh_rejects_a_malformed_token(api_client, value):
    response = api_client.post(REFRESH, {"refresh": value})

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token_not_valid"


def test_refresh_with_an_access_token_is_401(api_client, session):
    response = api_client.post(REFRESH, {"refresh": session["access"]})

    assert response.status_code == 401


def test_refresh_of_a_deleted_user_is_401(api_client, session, user):
    user.delete()

    assert api_client.post(REFRESH, {"refresh": session["refresh"]}).status_code == 401


def test_refresh_of_a_deactivated_user_is_401(api_client, session, user):
    User.objects.filter(pk=user.pk).update(is_active=False)

    assert api_client.post(REFRESH, {"refresh": session["refresh"]}).status_code == 401


def test_refresh_token_expires_after_its_lifetime(api_client, session):
    lifetime = settings.SIMPLE_JWT["REFRESH_TOKEN_LIFETIME"]
    with time_machine.travel(timezone.now() + lifetime + timedelta(seconds=5)):
        response = api_client.post(REFRESH, {"refresh": session["refresh"]})

    assert response.status_code == 401


def test_access_token_expires_after_15_minutes(session):
    client = bearer_client(session["access"])
    with time_machine.travel(timezone.now() + timedelta(minutes=14)):
        assert client.get(ME).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(minutes=15, seconds=5)):
        assert client.get(ME).status_code == 401


def test_default_lifetimes_are_15_minutes_and_7_days():
    assert settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"] == timedelta(minutes=15)
    assert settings.SIMPLE_JWT["REFRESH_TOKEN_LIFETIME"] == timedelta(days=7)


# --- logout -------------------------------------------------------------------
def test_logout_blacklists_the_refresh_token(api_client, session):
    client = bearer_client(session["access"])

    response = client.post("/api/v1/auth/logout", {"refresh": session["refresh"]})

    assert response.status_code == 204
    assert api_client.post(REFRESH, {"refresh": session["refresh"]}).status_code == 401


def test_logout_requires_auth(api_client, session):
    response = api_client.post("/api/v1/auth/logout", {"refresh": session["refresh"]})

    assert response.status_code == 401
    assert api_client.post(REFRESH, {"refresh": session["refresh"]}).status_code == 200


def test_logout_refuses_another_users_refresh_token(api_client, other_client, session):
    response = other_client.post("/api/v1/auth/logout", {"refresh": session["refresh"]})

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["refresh"]
    assert api_client.post(REFRESH, {"refresh": session["refresh"]}).status_code == 200


def test_logout_bad_input_is_400(auth_client):
    response = auth_client.post("/api/v1/auth/logout", {})

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert list(response.json()["error"]["fields"]) == ["refresh"]


def test_logout_all_invalidates_access_and_refresh_tokens(
    api_client, user, django_capture_on_commit_callbacks
):
    a = login(api_client, user.email).json()
    b = login(api_client, user.email).json()
    received = []

    def receiver(sender, **kwargs):
        received.append(kwargs)

    events.user_sessions_revoked.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = bearer_client(a["access"]).post("/api/v1/auth/logout-all")
    finally:
        events.user_sessions_revoked.disconnect(receiver)

    assert response.status_code == 204
    assert received == [
        {
            "signal": events.user_sessions_revoked,
            "user_id": user.pk,
            "reason": "logout_all",
        }
    ]
    for pair in (a, b):
        denied = bearer_client(pair["access"]).get(ME)
        assert denied.status_code == 401
        assert denied.json()["error"]["code"] == "token_revoked"
        assert api_client.post(REFRESH, {"refresh": pair["refresh"]}).status_code == 401
    assert login(api_client, user.email).status_code == 200


# --- forged tokens ------------------------------------------------------------
def _claims(user, **extra):
    now = int(time.time())
    claims = {
        "token_type": "access",
        "exp": now + 600,
        "iat": now,
        "jti": "x" * 32,
        "user_id": str(user.pk),
        "epoch": user.token_epoch,
    }
    claims.update(extra)
    return claims


def _segment_b64(data: bytes) -> str:
    import base64

    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@pytest.mark.parametrize(
    "forge",
    [
        "alg_none",
        "wrong_key",
        "expired",
        "refresh_as_access",
        "tampered",
        "no_epoch",
    ],
)
def test_forged_tokens_are_401(user, session, forge):
    key = settings.SIMPLE_JWT["SIGNING_KEY"]
    if forge == "alg_none":
        header = _segment_b64(b'{"alg":"none","typ":"JWT"}')
        import json

        payload = _segment_b64(json.dumps(_claims(user)).encode())
        token = f"{header}.{payload}."
    elif forge == "wrong_key":
        token = pyjwt.encode(_claims(user), "k" * 64, algorithm="HS256")
    elif forge == "expired":
        token = pyjwt.encode(
            _claims(user, exp=int(time.time()) - 10), key, algorithm="HS256"
        )
    elif forge == "refresh_as_access":
        token = session["refresh"]
    elif forge == "tampered":
        other = UserFactory()
        header, payload, signature = session["access"].split(".")
        import json

        claims = pyjwt.decode(session["access"], options={"verify_signature": False})
        claims["user_id"] = str(other.pk)
        payload = _segment_b64(json.dumps(claims).encode())
        token = f"{header}.{payload}.{signature}"
    else:
        plain = AccessToken.for_user(user)  # no epoch claim
        token = str(plain)

    response = bearer_client(token).get(ME)

    assert response.status_code == 401
    assert "error" in response.json()


@pytest.mark.argon2
def test_register_and_login_passwords_are_hashed_with_argon2(api_client):
    api_client.post(REGISTER, register_payload())

    user = User.objects.get()
    assert settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    assert user.password.startswith("argon2$")
    assert check_password(STRONG_PASSWORD, user.password)


def test_tokens_purge_removes_only_expired_records(api_client, user):
    from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

    from accounts.tasks import accounts_login_failures_purge, accounts_tokens_purge

    lifetime = settings.SIMPLE_JWT["REFRESH_TOKEN_LIFETIME"]
    with time_machine.travel(timezone.now() - lifetime - timedelta(hours=1)):
        login(api_client, user.email)
        login(api_client, user.email, "wrong password!!")
    fresh = login(api_client, user.email).json()

    assert accounts_tokens_purge() == 2
    assert accounts_login_failures_purge() == 1
    assert OutstandingToken.objects.count() == 1
    assert TokenFamily.objects.count() == 1
    assert api_client.post(REFRESH, {"refresh": fresh["refresh"]}).status_code == 200


def test_unknown_emails_lock_the_same_way(api_client):
    # Otherwise a 429 (or its absence) would tell which addresses have accounts.
    for _ in range(5):
        assert (
            login(api_client, "ghost@example.com", "guess guess!!").status_code == 401
        )

    locked = login(api_client, "ghost@example.com", "guess guess!!")

    assert locked.status_code == 429
    assert locked.json()["error"]["code"] == "login_locked"


def test_many_accounts_tried_from_one_address_lock_that_address(
    api_client, user, settings
):
    settings.ACCOUNTS_LOGIN_MAX_FAILURES_PER_IP = 3
    for i in range(3):
        assert login(api_client, f"victim{i}@example.com", "guess!!").status_code == 401

    from_there = login(api_client, user.email)
    elsewhere = login(api_client, user.email, REMOTE_ADDR="198.51.100.4")

    assert from_there.status_code == 429
    assert elsewhere.status_code == 200


def test_the_admin_login_does_not_need_a_verified_address(client):
    # Staff made with createsuperuser never receive a verification link.
    staff = UserFactory(is_staff=True, is_superuser=True, email_verified_at=None)

    response = client.post(
        "/admin/login/", {"username": staff.email, "password": TEST_PASSWORD}
    )

    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
