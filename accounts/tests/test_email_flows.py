from __future__ import annotations

import logging
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from accounts.models import AuditLog, EmailDelivery, User
from accounts.services import EMAIL_KIND, email_queue
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
from kaya import outbox
from kaya.models import OutboxEmail
from kaya.tasks import send_email, sweep_email_outbox

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


# --- delivery: through the one outbox, retried, never failing the request ------
def _outbox_row(delivery: EmailDelivery) -> OutboxEmail:
    return OutboxEmail.objects.get(idempotency_key=f"{EMAIL_KIND}:{delivery.pk}")


def _sweep_until_settled(limit: int = 20) -> None:
    """Run the outbox sweep as the beat would, each time past the backoff."""
    for _ in range(limit):
        if not OutboxEmail.objects.filter(
            status__in=[OutboxEmail.Status.PENDING, OutboxEmail.Status.SENDING]
        ).exists():
            return
        outbox.outbox_sweep(now=timezone.now() + timedelta(days=1))
    raise AssertionError("the outbox did not settle")


def test_failing_provider_never_fails_the_request(
    api_client, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "accounts.tests.backends.FailingEmailBackend"
    FailingEmailBackend.calls = 0

    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(REGISTER, register_payload())

    assert response.status_code == 202
    deliveries = list(EmailDelivery.objects.order_by("kind"))
    assert [d.kind for d in deliveries] == ["verify_email", "welcome"]
    # Tried once each on commit, then left pending for a retry with backoff.
    rows = [_outbox_row(d) for d in deliveries]
    assert [(r.status, r.attempts) for r in rows] == [("pending", 1), ("pending", 1)]
    assert all(r.send_after > timezone.now() for r in rows)
    # Each email is retried up to the limit, then given up.
    _sweep_until_settled()
    attempts = settings.EMAIL_OUTBOX_MAX_ATTEMPTS
    rows = [_outbox_row(d) for d in deliveries]
    assert [(r.status, r.attempts, r.sent_at) for r in rows] == [
        ("failed", attempts, None),
        ("failed", attempts, None),
    ]
    assert FailingEmailBackend.calls == 2 * attempts
    assert mailoutbox == []


def test_a_retried_email_is_sent_exactly_once(
    user, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "accounts.tests.backends.FlakyEmailBackend"
    FlakyEmailBackend.failures = 2

    with django_capture_on_commit_callbacks(execute=True):
        delivery = email_queue(user=user, kind="welcome")
    _sweep_until_settled()
    row = _outbox_row(delivery)
    # A redelivered task sends nothing more.
    assert outbox.email_send(email_id=row.pk) is False

    row.refresh_from_db()
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [user.email]
    assert mailoutbox[0].extra_headers["Message-ID"] == outbox.message_id(row)
    assert row.status == OutboxEmail.Status.SENT
    assert row.sent_at is not None
    assert row.attempts == 3


def test_sending_a_sent_email_does_nothing(
    user, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        delivery = email_queue(user=user, kind="welcome")
    row = _outbox_row(delivery)

    assert outbox.email_send(email_id=row.pk) is True
    assert outbox.email_send(email_id=row.pk) is False
    assert outbox.outbox_sweep() == 0
    assert len(mailoutbox) == 1


def test_register_survives_a_broker_outage(
    api_client, monkeypatch, mailoutbox, django_capture_on_commit_callbacks
):
    def broker_down(*args, **kwargs):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(send_email, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(REGISTER, register_payload())

    assert response.status_code == 202
    assert mailoutbox == []
    assert OutboxEmail.objects.filter(kind=EMAIL_KIND, status="pending").count() == 2
    # The beat's outbox sweep sends them once the task is lost.
    assert outbox.outbox_sweep() == 2
    assert sorted(m.to[0] for m in mailoutbox) == ["ana@example.com"] * 2


def test_outbox_sweep_sends_emails_whose_task_never_ran(
    user, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        email_queue(user=user, kind="welcome")

    assert sweep_email_outbox() == 1
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [user.email]
    assert sweep_email_outbox() == 0


def test_an_erased_accounts_pending_email_is_skipped(
    user, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        delivery = email_queue(user=user, kind="password_reset")
    row = _outbox_row(delivery)
    EmailDelivery.objects.filter(pk=delivery.pk).delete()

    assert outbox.email_send(email_id=row.pk) is False
    row.refresh_from_db()
    assert row.status == OutboxEmail.Status.SKIPPED
    assert mailoutbox == []


def test_reset_links_are_never_logged(
    api_client, user, settings, caplog, mailoutbox, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "accounts.tests.backends.FlakyEmailBackend"
    FlakyEmailBackend.failures = 1

    with caplog.at_level(logging.DEBUG):
        with django_capture_on_commit_callbacks(execute=True):
            response = api_client.post(RESET_REQUEST, {"email": user.email})
        _sweep_until_settled()

    assert response.status_code == 202
    assert len(mailoutbox) == 1
    token = link_token(mailoutbox[0], "reset-password")
    assert caplog.records  # the failed attempt was logged
    for record in caplog.records:
        logged = f"{record.getMessage()} {record.__dict__}"
        assert token not in logged
        assert "reset-password" not in logged


def test_the_export_shows_when_each_account_email_went_out(
    user, mailoutbox, django_capture_on_commit_callbacks
):
    from accounts.privacy import accounts_export

    with django_capture_on_commit_callbacks(execute=True):
        sent = email_queue(user=user, kind="welcome")
    with django_capture_on_commit_callbacks(execute=False):
        email_queue(user=user, kind="password_changed")

    emails = accounts_export(user)["emails_sent"]
    assert [(e["kind"], e["to"]) for e in emails] == [
        ("welcome", user.email),
        ("password_changed", user.email),
    ]
    assert emails[0]["sent_at"] == _outbox_row(sent).sent_at.isoformat()
    assert emails[0]["queued_at"] == sent.created_at.isoformat()
    assert emails[1]["sent_at"] is None


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
