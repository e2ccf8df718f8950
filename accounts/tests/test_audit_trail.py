"""Each account flow the issue names leaves its audit row (and never a secret)."""

from __future__ import annotations

import pytest

from accounts.models import AuditLog
from accounts.tests.conftest import ME, bearer_client, link_token, login
from accounts.tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "quiet mountain lake 77"


def _trail(since: int = 0) -> list[tuple[str, str, int | None, str, str]]:
    return [
        (row.action, row.outcome, row.actor_id, row.target_type, row.target_id)
        for row in AuditLog.objects.filter(pk__gt=since).order_by("id")
    ]


def _last_id() -> int:
    return AuditLog.objects.order_by("-id").values_list("id", flat=True).first() or 0


def test_logout_and_logout_all_are_audited(api_client, user, session):
    since = _last_id()

    logout = bearer_client(session["access"]).post(
        "/api/v1/auth/logout", {"refresh": session["refresh"]}
    )
    other = login(api_client, user.email).json()
    logout_all = bearer_client(other["access"]).post("/api/v1/auth/logout-all")

    assert (logout.status_code, logout_all.status_code) == (204, 204)
    me = ("accounts.user", str(user.pk))
    assert _trail(since) == [
        ("logout", "success", user.pk, *me),
        ("login", "success", user.pk, *me),
        ("logout_all", "success", user.pk, *me),
    ]


def test_password_change_is_audited_with_its_outcome(auth_client, user):
    since = _last_id()

    refused = auth_client.post(
        "/api/v1/auth/change-password",
        {"current_password": "not my password", "new_password": NEW_PASSWORD},
    )
    changed = auth_client.post(
        "/api/v1/auth/change-password",
        {"current_password": TEST_PASSWORD, "new_password": NEW_PASSWORD},
    )

    assert (refused.status_code, changed.status_code) == (400, 200)
    me = ("accounts.user", str(user.pk))
    assert _trail(since) == [
        ("password_change", "failure", user.pk, *me),
        ("password_change", "success", user.pk, *me),
    ]
    for row in AuditLog.objects.filter(pk__gt=since):
        assert TEST_PASSWORD not in str(row.metadata)
        assert NEW_PASSWORD not in str(row.metadata)


def test_password_reset_request_and_reset_are_audited(
    api_client, user, mailoutbox, django_capture_on_commit_callbacks
):
    since = _last_id()
    reset_request = "/api/v1/auth/request-password-reset"

    with django_capture_on_commit_callbacks(execute=True):
        api_client.post(reset_request, {"email": "nobody@example.com"})
        api_client.post(reset_request, {"email": user.email})
    token = link_token(mailoutbox[-1], "reset-password")
    response = api_client.post(
        f"/api/v1/auth/reset-password/{token}", {"password": NEW_PASSWORD}
    )

    assert response.status_code == 200
    assert _trail(since) == [
        ("password_reset_request", "failure", None, "", ""),
        ("password_reset_request", "success", user.pk, "", ""),
        ("password_reset", "success", user.pk, "accounts.user", str(user.pk)),
    ]
    # The link's token is a secret: no audit column holds it.
    for row in AuditLog.objects.filter(pk__gt=since):
        assert token not in f"{row.metadata}{row.user_agent}{row.request_id}"


def test_email_change_request_and_confirmation_are_audited(
    auth_client, api_client, user, mailoutbox, django_capture_on_commit_callbacks
):
    since = _last_id()

    with django_capture_on_commit_callbacks(execute=True):
        requested = auth_client.patch(
            ME, {"email": "new@example.com", "current_password": TEST_PASSWORD}
        )
    link = link_token(
        next(m for m in mailoutbox if m.to == ["new@example.com"]), "verify-email"
    )
    confirmed = api_client.get(f"/api/v1/auth/verify-email/{link}")

    assert (requested.status_code, confirmed.status_code) == (200, 200)
    me = ("accounts.user", str(user.pk))
    assert _trail(since) == [
        ("email_change_request", "success", user.pk, *me),
        ("email_change", "success", user.pk, *me),
    ]
