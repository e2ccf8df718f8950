from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from accounts.models import AuditLog, EmailDelivery, User
from accounts.services import email_delivery_send
from accounts.tasks import account_email_send
from accounts.tests.backends import FailingEmailBackend, FlakyEmailBackend
from accounts.tests.conftest import (
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

RESET_REQUEST = "/api/v1/auth/request-password-reset"
NEW_PASSWORD = "quiet mountain lake 77"


def _register(api_client, capture, **overrides):
    with capture(execute=True):
        response = api_client.post(REGISTER, register_payload(**overrides))
    assert response.status_code == 202
    return response.json()


def _verification_mail(mailoutbox):
    return next(m for m in mailoutbox if "verify-email" in m.body)


# --- verification ---------------------------------------------------------------
def test_verification_link_verifies_once(
    api_client, mailoutbox, django_capture_on_commit_callbacks
):
    _register(api_client, django_capture_on_commit_callbacks)
    message = _verification_mail(mailoutbox)
    token = link_token(message, "verify-email")
    assert token in message.alternatives[0][0]

    first = api_client.get(f"/api/v1/auth/verify-email/{token}")
    verified_at = User.objects.get().email_verified_at
    # A second open (a double click, a mail scanner) is a success that changes
    # nothing.
    again = api_client.get(f"/api/v1/auth/verify-email/{token}")

    assert message.to == ["ana@example.com"]
    assert first.status_code == 200
    assert first.json()["email_verified"] is True
    assert verified_at is not None
    assert again.status_code == 200
    assert again.json() == first.json()
    assert User.objects.get().email_verified_at == verified_at
    assert AuditLog.objects.filter(action="email_verify").count() == 1


def test_verification_token_in_the_body_verifies_and_a_repeat_changes_nothing(
    api_client, mailoutbox, django_capture_on_commit_callbacks
):
    _register(api_client, django_capture_on_commit_callbacks)
    token = link_token(_verification_mail(mailoutbox), "verify-email")

    first = api_client.post("/api/v1/auth/verify-email", {"token": token})
    verified_at = User.objects.get().email_verified_at
    again = api_client.post("/api/v1/auth/verify-email", {"token": token})
    path_form = api_client.get(f"/api/v1/auth/verify-email/{token}")

    assert first.status_code == 200
    assert first.json()["email_verified"] is True
    assert verified_at is not None
    assert again.status_code == 200
    assert again.json() == first.json()
    assert path_form.status_code == 200
    assert path_form.json() == first.json()
    assert User.objects.get().email_verified_at == verified_at
    assert AuditLog.objects.filter(action="email_verify").count() == 1


def test_verification_body_without_a_token_is_a_validation_error(api_client):
    response = api_client.post("/api/v1/auth/verify-email", {}, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert list(response.json()["error"]["fields"]) == ["token"]


def test_a_used_verification_link_fails_once_the_account_has_moved_on(
    api_client, mailoutbox, django_capture_on_commit_callbacks
):
    _register(api_client, django_capture_on_commit_callbacks)
    token = link_token(_verification_mail(mailoutbox), "verify-email")
    assert api_client.get(f"/api/v1/auth/verify-email/{token}").status_code == 200
    # The account's address changed since: the old link names another address.
    User.objects.update(email="moved@example.com")

    response = api_client.get(f"/api/v1/auth/verify-email/{token}")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_token"


def test_verification_link_expires_after_24_hours(
    api_client, mailoutbox, django_capture_on_commit_callbacks
):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        _register(api_client, django_capture_on_commit_callbacks)
        token = link_token(_verification_mail(mailoutbox), "verify-email")
        clock.shift(timedelta(hours=24, seconds=1))

        response = api_client.get(f"/api/v1/auth/verify-email/{token}")

    assert response.status_code == 400
    assert User.objects.get().email_verified_at is None


def test_tampered_verification_token_is_refused(
    api_client, mailoutbox, django_capture_on_commit_callbacks
):
    _register(api_client, django_capture_on_commit_callbacks)
    token = link_token(_verification_mail(mailoutbox), "verify-email")
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")

    response = api_client.get(f"/api/v1/auth/verify-email/{tampered}")

    assert response.status_code == 400
    assert User.objects.get().email_verified_at is None


def test_verification_email_is_rendered_in_the_users_locale(
    api_client, mailoutbox, django_capture_on_commit_callbacks
):
    _register(api_client, django_capture_on_commit_callbacks, locale="es")
    message = _verification_mail(mailoutbox)

    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert message.subject == "Confirma tu dirección de correo"
    assert message.body.startswith("Hola, Ana:")
    assert '<html lang="es">' in html
    assert "Confirmar mi correo" in html
    assert "/verify-email/" in html


def test_emails_fall_back_to_english_without_a_translation(
    api_client, mailoutbox, django_capture_on_commit_callbacks
):
    _register(api_client, django_capture_on_commit_callbacks, locale="de")

    message = _verification_mail(mailoutbox)
    assert message.subject == "Confirm your email address"
    assert '<html lang="de">' in message.alternatives[0][0]


def test_resend_verification(
    auth_client, user, mailoutbox, django_capture_on_commit_callbacks
):
    User.objects.filter(pk=user.pk).update(email_verified_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        response = auth_client.post("/api/v1/auth/resend-verification")

    assert response.status_code == 202
    assert [m.to for m in mailoutbox] == [[user.email]]
    assert "/verify-email/" in mailoutbox[0].body


def test_resend_verification_when_verified_is_409(auth_client, user, mailoutbox):
    User.objects.filter(pk=user.pk).update(email_verified_at=timezone.now())

    response = auth_client.post("/api/v1/auth/resend-verification")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "already_verified"
    assert mailoutbox == []


def test_resend_verification_requires_auth(api_client):
    assert api_client.post("/api/v1/auth/resend-verification").status_code == 401


# --- password reset -----------------------------------------------------------
def test_reset_request_answers_the_same_for_unknown_emails(
    api_client, user, mailoutbox, django_capture_on_commit_callbacks
):
    headers = {"HTTP_X_REQUEST_ID": "fixed"}
    with django_capture_on_commit_callbacks(execute=True):
        known = api_client.post(RESET_REQUEST, {"email": user.email}, **headers)
        unknown = api_client.post(
            RESET_REQUEST, {"email": "ghost@example.com"}, **headers
        )

    assert known.status_code == unknown.status_code == 202
    assert known.content == unknown.content
    assert [m.to for m in mailoutbox] == [[user.email]]


def test_reset_request_bad_input_is_400(api_client):
    response = api_client.post(RESET_REQUEST, {"email": "nope"})

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert list(response.json()["error"]["fields"]) == ["email"]


def test_inactive_account_gets_no_reset_email(
    api_client, mailoutbox, django_capture_on_commit_callbacks
):
    inactive = UserFactory(is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        api_client.post(RESET_REQUEST, {"email": inactive.email})

    assert mailoutbox == []


def _reset_token(api_client, user, mailoutbox, capture) -> str:
    with capture(execute=True):
        api_client.post(RESET_REQUEST, {"email": user.email})
    return link_token(mailoutbox[-1], "reset-password")


def test_password_reset_sets_password_and_ends_every_session(
    api_client, user, mailoutbox, django_capture_on_commit_callbacks, revocations
):
    session = login(api_client, user.email).json()
    token = _reset_token(
        api_client, user, mailoutbox, django_capture_on_commit_callbacks
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            f"/api/v1/auth/reset-password/{token}", {"password": NEW_PASSWORD}
        )

    assert response.status_code == 200
    assert revocations == [(user.pk, "password_reset")]
    assert bearer_client(session["access"]).get(ME).status_code == 401
    assert api_client.post(REFRESH, {"refresh": session["refresh"]}).status_code == 401
    assert login(api_client, user.email).status_code == 401
    assert login(api_client, user.email, NEW_PASSWORD).status_code == 200
    assert mailoutbox[-1].subject == "Your KAYA password was changed"
    reuse = api_client.post(
        f"/api/v1/auth/reset-password/{token}", {"password": "another fine phrase 9"}
    )
    assert reuse.status_code == 400
    assert reuse.json()["error"]["code"] == "invalid_token"


def test_password_reset_with_the_token_in_the_body(
    api_client, user, mailoutbox, django_capture_on_commit_callbacks, revocations
):
    session = login(api_client, user.email).json()
    token = _reset_token(
        api_client, user, mailoutbox, django_capture_on_commit_callbacks
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            "/api/v1/auth/reset-password",
            {"token": token, "password": NEW_PASSWORD},
        )

    assert response.status_code == 200
    assert response.json() == {"detail": "Your password has been changed."}
    assert revocations == [(user.pk, "password_reset")]
    assert bearer_client(session["access"]).get(ME).status_code == 401
    assert login(api_client, user.email, NEW_PASSWORD).status_code == 200
    reuse = api_client.post(
        "/api/v1/auth/reset-password",
        {"token": token, "password": "another fine phrase 9"},
    )
    assert reuse.status_code == 400
    assert reuse.json()["error"]["code"] == "invalid_token"


def test_password_reset_body_needs_a_token_and_a_password(api_client, user):
    response = api_client.post("/api/v1/auth/reset-password", {}, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert sorted(response.json()["error"]["fields"]) == ["password", "token"]
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)


def test_password_reset_link_expires_after_one_hour(
    api_client, user, mailoutbox, django_capture_on_commit_callbacks
):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        token = _reset_token(
            api_client, user, mailoutbox, django_capture_on_commit_callbacks
        )
        clock.shift(timedelta(hours=1, seconds=1))
        response = api_client.post(
            f"/api/v1/auth/reset-password/{token}", {"password": NEW_PASSWORD}
        )

    assert response.status_code == 400
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)


def test_password_reset_validates_the_new_password(
    api_client, user, mailoutbox, django_capture_on_commit_callbacks
):
    token = _reset_token(
        api_client, user, mailoutbox, django_capture_on_commit_callbacks
    )

    response = api_client.post(
        f"/api/v1/auth/reset-password/{token}", {"password": "12345678901"}
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert list(response.json()["error"]["fields"]) == ["password"]
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)


# --- change password ------------------------------------------------------------
def test_change_password_keeps_this_session_and_ends_the_others(
    api_client, user, mailoutbox, django_capture_on_commit_callbacks, revocations
):
    this = login(api_client, user.email).json()
    other = login(api_client, user.email).json()
    with django_capture_on_commit_callbacks(execute=True):
        response = bearer_client(this["access"]).post(
            "/api/v1/auth/change-password",
            {"current_password": TEST_PASSWORD, "new_password": NEW_PASSWORD},
        )

    assert response.status_code == 200
    assert revocations == [(user.pk, "password_change")]
    fresh = response.json()
    assert bearer_client(fresh["access"]).get(ME).status_code == 200
    assert api_client.post(REFRESH, {"refresh": fresh["refresh"]}).status_code == 200
    for old in (this, other):
        assert bearer_client(old["access"]).get(ME).status_code == 401
        assert api_client.post(REFRESH, {"refresh": old["refresh"]}).status_code == 401
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert [m.subject for m in mailoutbox] == ["Your KAYA password was changed"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        (
            {"current_password": "wrong one!!", "new_password": NEW_PASSWORD},
            "current_password",
        ),
        ({"current_password": TEST_PASSWORD, "new_password": "short"}, "new_password"),
        ({"current_password": TEST_PASSWORD}, "new_password"),
    ],
)
def test_change_password_bad_input_changes_nothing(auth_client, user, payload, field):
    response = auth_client.post("/api/v1/auth/change-password", payload)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert list(response.json()["error"]["fields"]) == [field]
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)
    assert user.token_epoch == 0


# --- delivery: retries, at most once, never failing the request -----------------
def test_failing_provider_never_fails_the_request(
    api_client, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "accounts.tests.backends.FailingEmailBackend"
    FailingEmailBackend.calls = 0

    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(REGISTER, register_payload())

    assert response.status_code == 202
    deliveries = EmailDelivery.objects.order_by("kind")
    assert [(d.kind, d.sent_at) for d in deliveries] == [
        ("verify_email", None),
        ("welcome", None),
    ]
    # Each email was retried up to the limit, then left for the outbox sweep.
    attempts = settings.ACCOUNTS_EMAIL_MAX_ATTEMPTS
    assert [d.attempts for d in deliveries] == [attempts, attempts]
    assert FailingEmailBackend.calls == 2 * attempts


def test_a_retried_email_is_sent_exactly_once(
    user, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "accounts.tests.backends.FlakyEmailBackend"
    FlakyEmailBackend.failures = 2
    delivery = EmailDelivery.objects.create(
        user=user, kind="welcome", to_email=user.email
    )

    account_email_send.delay(delivery_id=delivery.pk)
    account_email_send.delay(delivery_id=delivery.pk)  # a redelivery

    delivery.refresh_from_db()
    assert len(mailoutbox) == 1
    assert delivery.sent_at is not None
    assert delivery.attempts == 3


def test_sending_a_sent_delivery_does_nothing(user, mailoutbox):
    delivery = EmailDelivery.objects.create(
        user=user, kind="welcome", to_email=user.email
    )

    assert email_delivery_send(delivery_id=delivery.pk) is True
    assert email_delivery_send(delivery_id=delivery.pk) is False
    assert len(mailoutbox) == 1


def test_register_survives_a_broker_outage(
    api_client, monkeypatch, django_capture_on_commit_callbacks
):
    def broker_down(*args, **kwargs):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(account_email_send, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(REGISTER, register_payload())

    assert response.status_code == 202
    assert EmailDelivery.objects.filter(sent_at=None).count() == 2


def test_outbox_sweep_sends_emails_whose_task_never_ran(user, mailoutbox):
    from accounts.tasks import accounts_email_sweep

    with time_machine.travel(timezone.now() - timedelta(minutes=30)):
        EmailDelivery.objects.create(user=user, kind="welcome", to_email=user.email)

    assert accounts_email_sweep() == 1
    assert len(mailoutbox) == 1
    assert accounts_email_sweep() == 0


def test_emails_never_carry_the_password(
    api_client, mailoutbox, django_capture_on_commit_callbacks
):
    _register(api_client, django_capture_on_commit_callbacks)

    for message in mailoutbox:
        assert STRONG_PASSWORD not in message.body
        assert STRONG_PASSWORD not in message.alternatives[0][0]


def test_resend_goes_to_the_pending_address(
    auth_client, user, mailoutbox, django_capture_on_commit_callbacks
):
    User.objects.filter(pk=user.pk).update(
        email_verified_at=timezone.now(), pending_email="next@example.com"
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = auth_client.post("/api/v1/auth/resend-verification")

    assert response.status_code == 202
    assert [m.to for m in mailoutbox] == [["next@example.com"]]


def test_verifying_an_address_taken_meanwhile_is_409(
    auth_client, user, api_client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        auth_client.patch(
            ME, {"email": "wanted@example.com", "current_password": TEST_PASSWORD}
        )
    link = link_token(_verification_mail(mailoutbox), "verify-email")
    UserFactory(email="wanted@example.com")

    response = api_client.get(f"/api/v1/auth/verify-email/{link}")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "email_taken"
    user.refresh_from_db()
    assert user.email != "wanted@example.com"
    assert user.pending_email == "wanted@example.com"
