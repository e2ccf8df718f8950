from __future__ import annotations

import json

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
from django.test.utils import CaptureQueriesContext

from accounts import events
from accounts.models import AuditLog, LoginFailure, User
from accounts.registry import PrivacyHandler, privacy
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
from accounts.tests.walk import rows_linked_to, uncovered_models, user_paths
from notifications.services import notification_create

pytestmark = pytest.mark.django_db

EXPORT = "/api/v1/users/me/export"
ME_DELETE = "/api/v1/users/me/delete"
# Account deletion answers on both forms: POST /users/me/delete (documented)
# and DELETE /users/me (deprecated), each with the password in a JSON body.
DELETE_FORMS = ["post", "delete"]


def delete_account(client, form: str, body: dict):
    if form == "post":
        return client.post(ME_DELETE, body)
    return client.delete(ME, body)


# --- the completeness walk ----------------------------------------------------
def test_every_model_linked_to_a_user_is_exported_or_excluded():
    assert uncovered_models() == []


def test_the_walk_reaches_third_party_and_indirect_models():
    labels = set(user_paths())

    assert {
        "accounts.User",
        "accounts.User_groups",
        "token_blacklist.OutstandingToken",
        "token_blacklist.BlacklistedToken",  # through OutstandingToken
        "admin.LogEntry",
        "notifications.Notification",
    } <= labels
    assert user_paths()["token_blacklist.BlacklistedToken"][1] == ["token__user"]


def test_the_walk_fails_when_an_apps_handler_is_missing(monkeypatch):
    handlers = dict(privacy.handlers)
    del handlers["notifications"]
    monkeypatch.setattr(privacy, "handlers", handlers)

    assert uncovered_models() == [
        "notifications.Notification",
        "notifications.ScheduledNotification",
    ]


def test_every_label_the_registry_names_is_a_real_model():
    labels = privacy.covered_models() | set(privacy.excluded) | set(privacy.retained)
    real = {m._meta.label for m in apps.get_models(include_auto_created=True)}

    assert labels - real == set()
    assert all(privacy.excluded.values())
    assert all(privacy.retained.values())


# --- export -------------------------------------------------------------------
def test_export_holds_every_apps_data_and_no_secrets(api_client, user, session):
    notification_create(user=user, type="system", title="Hello", body="Hi there")
    client = bearer_client(session["access"])

    response = client.get(EXPORT)

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="kaya-export.json"'
    document = response.json()
    assert document["user_id"] == user.pk
    assert set(document["apps"]) == set(privacy.handlers)
    accounts = document["apps"]["accounts"]
    assert accounts["profile"]["email"] == user.email
    assert accounts["profile"]["timezone"] == "UTC"
    assert len(accounts["sessions"]) == 1
    assert [e["action"] for e in accounts["security_events"]] == ["login"]
    notifications = document["apps"]["notifications"]["notifications"]
    assert [n["title"] for n in notifications] == ["Hello"]
    raw = json.dumps(document)
    user.refresh_from_db()
    assert user.password not in raw
    assert session["refresh"] not in raw
    assert session["access"] not in raw
    assert AuditLog.objects.filter(action="data_export", actor=user).count() == 1


def test_export_requires_auth(api_client):
    assert api_client.get(EXPORT).status_code == 401


def test_export_does_not_show_another_users_data(auth_client, user, other_user):
    notification_create(user=other_user, type="system", title="Secret")
    login(auth_client, other_user.email)

    document = auth_client.get(EXPORT).json()

    raw = json.dumps(document)
    assert other_user.email not in raw
    assert "Secret" not in raw
    assert document["apps"]["notifications"]["notifications"] == []


def test_export_query_count_does_not_grow_with_the_data(api_client, user):
    """One query per kind of exported row (each app's handler), plus auth and the
    audit insert: the count with three of everything equals the count with one."""

    def export_queries() -> int:
        access = login(api_client, user.email).json()["access"]
        notification_create(user=user, type="system", title="n")
        with CaptureQueriesContext(connection) as captured:
            assert bearer_client(access).get(EXPORT).status_code == 200
        return len(captured)

    with_one = export_queries()
    export_queries()
    with_three = export_queries()

    assert with_three == with_one
    # Bounded by the number of exported models, not by the rows.
    assert with_one <= 3 + len(privacy.covered_models())


# --- deletion -----------------------------------------------------------------
def _text_columns() -> list[tuple[type[models.Model], str]]:
    return [
        (model, field.name)
        for model in apps.get_models(include_auto_created=True)
        for field in model._meta.concrete_fields
        if isinstance(field, (models.CharField, models.TextField))
        # Encrypted columns hold ciphertext and cannot be searched.
        and not getattr(field, "encrypted", False)
    ]


@pytest.mark.parametrize("form", DELETE_FORMS)
def test_deleting_the_account_leaves_no_row_pointing_at_the_user(
    form, api_client, mailoutbox, django_capture_on_commit_callbacks
):
    # A user with rows in every kind of table accounts knows about.
    with django_capture_on_commit_callbacks(execute=True):
        api_client.post(REGISTER, register_payload())
    user = User.objects.get()
    verification = next(m for m in mailoutbox if "verify-email" in m.body)
    api_client.get(
        f"/api/v1/auth/verify-email/{link_token(verification, 'verify-email')}"
    )
    first = login(api_client, user.email, STRONG_PASSWORD).json()
    second = login(api_client, user.email, STRONG_PASSWORD).json()
    api_client.post(REFRESH, {"refresh": second["refresh"]})
    login(api_client, user.email, "wrong password!!")
    notification_create(user=user, type="system", title="Welcome")
    user.groups.add(Group.objects.create(name="beta"))
    LogEntry.objects.create(
        user=user,
        content_type=ContentType.objects.get_for_model(Group),
        object_id="1",
        object_repr="beta",
        action_flag=CHANGE,
    )
    # A staff edit of this account: Django keeps the email in object_repr.
    LogEntry.objects.create(
        user=UserFactory(is_staff=True),
        content_type=ContentType.objects.get_for_model(User),
        object_id=str(user.pk),
        object_repr=user.email,
        action_flag=CHANGE,
    )
    before = rows_linked_to(user.pk)
    for label in (
        "accounts.User",
        "accounts.User_groups",
        "accounts.TokenFamily",
        "accounts.EmailDelivery",
        "accounts.AuditLog",
        "token_blacklist.OutstandingToken",
        "token_blacklist.BlacklistedToken",
        "admin.LogEntry",
        "notifications.Notification",
    ):
        assert before[label], f"the test created no {label} row"
    assert LoginFailure.objects.filter(email=user.email).exists()

    seen = []

    def on_deleted(sender, user_id, **kwargs):
        seen.append(("deleted", User.objects.filter(pk=user_id).exists()))

    def on_revoked(sender, user_id, reason, **kwargs):
        seen.append(("revoked", reason))

    events.user_deleted.connect(on_deleted)
    events.user_sessions_revoked.connect(on_revoked)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = delete_account(
                bearer_client(second["access"]), form, {"password": STRONG_PASSWORD}
            )
    finally:
        events.user_deleted.disconnect(on_deleted)
        events.user_sessions_revoked.disconnect(on_revoked)

    assert response.status_code == 204
    # Both after commit: the sockets close, then user_deleted tells that the
    # account is gone (its work inside the erasure is the privacy handlers').
    assert seen == [("revoked", "account_deleted"), ("deleted", False)]
    for label, pks in before.items():
        model = user_paths()[label][0]
        left = set(
            model._default_manager.filter(pk__in=pks).values_list("pk", flat=True)
        )
        if label in privacy.retained:
            continue
        assert left == set(), f"{label} rows survived the erasure"
    # The retained audit trail no longer points at the person.
    remaining = AuditLog.objects.filter(pk__in=before["accounts.AuditLog"])
    assert remaining.exists()
    assert not remaining.filter(actor__isnull=False).exists()
    assert not remaining.exclude(ip=None).exists()
    assert not remaining.exclude(user_agent="").exists()
    assert AuditLog.objects.filter(
        action="account_delete", target_id=str(user.pk)
    ).exists()
    # No text column anywhere still holds the address.
    for model, column in _text_columns():
        assert not model._default_manager.filter(
            **{f"{column}__icontains": "ana@example.com"}
        ).exists(), f"{model._meta.label}.{column} still holds the email"
    # Every token is dead.
    for pair in (first, second):
        assert bearer_client(pair["access"]).get(ME).status_code == 401
        assert api_client.post(REFRESH, {"refresh": pair["refresh"]}).status_code == 401


def test_an_erasure_that_rolls_back_publishes_no_event(
    user, monkeypatch, django_capture_on_commit_callbacks
):
    from accounts import services

    def erase_fails(user):
        raise RuntimeError("an erase handler failed")

    handlers = dict(privacy.handlers)
    handlers["broken"] = PrivacyHandler(
        "broken", export=lambda user: {}, erase=erase_fails, models=()
    )
    monkeypatch.setattr(privacy, "handlers", handlers)
    seen = []

    def receiver(sender, **kwargs):
        seen.append(kwargs["signal"])

    events.user_deleted.connect(receiver)
    events.user_sessions_revoked.connect(receiver)
    try:
        with (
            django_capture_on_commit_callbacks(execute=True) as callbacks,
            pytest.raises(RuntimeError),
        ):
            services.user_erase(user=user)
    finally:
        events.user_deleted.disconnect(receiver)
        events.user_sessions_revoked.disconnect(receiver)

    assert callbacks == []
    assert seen == []
    assert User.objects.filter(pk=user.pk).exists()


def test_a_failing_user_deleted_subscriber_does_not_fail_the_deletion(
    auth_client, user, django_capture_on_commit_callbacks
):
    def receiver(sender, **kwargs):
        raise RuntimeError("a subscriber failed")

    events.user_deleted.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = auth_client.post(ME_DELETE, {"password": TEST_PASSWORD})
    finally:
        events.user_deleted.disconnect(receiver)

    assert response.status_code == 204
    assert not User.objects.filter(pk=user.pk).exists()


@pytest.mark.parametrize("form", DELETE_FORMS)
def test_deletion_needs_the_right_password(form, auth_client, user):
    wrong = delete_account(auth_client, form, {"password": "not my password"})
    missing = delete_account(auth_client, form, {})

    assert wrong.status_code == missing.status_code == 400
    assert wrong.json()["error"]["code"] == "validation_error"
    assert missing.json()["error"]["code"] == "validation_error"
    assert list(wrong.json()["error"]["fields"]) == ["password"]
    assert list(missing.json()["error"]["fields"]) == ["password"]
    assert User.objects.filter(pk=user.pk, is_active=True).exists()


def test_staff_erasure_from_the_admin_goes_through_every_handler(user, session):
    from django.test import Client
    from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

    staff = UserFactory(is_staff=True, is_superuser=True)
    notification_create(user=user, type="system", title="Hi")
    client = Client()
    client.force_login(staff)
    email, user_id = user.email, user.pk

    response = client.post(f"/admin/accounts/user/{user_id}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not User.objects.filter(pk=user_id).exists()
    assert OutstandingToken.objects.count() == 0
    assert rows_linked_to(user_id)["notifications.Notification"] == set()
    for model, column in _text_columns():
        assert not model._default_manager.filter(
            **{f"{column}__icontains": email}
        ).exists(), f"{model._meta.label}.{column} still holds the email"
    entry = AuditLog.objects.get(action="account_delete")
    assert (entry.actor, entry.target_id, entry.metadata) == (
        staff,
        str(user_id),
        {"by": "staff"},
    )
