from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from django.utils import timezone

from accounts.models import AuditLog, User
from accounts.registry import stats
from accounts.serializers import UserUpdateInput
from accounts.tests.conftest import ME, login

pytestmark = pytest.mark.django_db


def test_me_returns_the_profile(auth_client, user):
    response = auth_client.get(ME)

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == user.pk
    assert body["email"] == user.email
    assert body["email_verified"] is True
    assert body["gentle_mode"] is False
    assert "password" not in body
    assert "token_epoch" not in body


def test_me_requires_auth(api_client):
    assert api_client.get(ME).status_code == 401


def test_patch_updates_profile_and_preferences(auth_client, user):
    payload = {
        "display_name": "Noor",
        "avatar_url": "https://img.example.com/n.png",
        "bio": "Breathing.",
        "timezone": "Asia/Tokyo",
        "locale": "fr",
        "reminder_time": "07:30",
        "notify_email": False,
        "notify_push": False,
        "quiet_hours_start": "22:00",
        "quiet_hours_end": "07:00",
        "gentle_mode": True,
        "leaderboard_opt_out": True,
    }

    response = auth_client.patch(ME, payload)

    assert response.status_code == 200
    user.refresh_from_db()
    assert user.display_name == "Noor"
    assert user.avatar_url == "https://img.example.com/n.png"
    assert user.bio == "Breathing."
    assert user.timezone == "Asia/Tokyo"
    assert user.locale == "fr"
    assert user.reminder_time == time(7, 30)
    assert (
        user.notify_email,
        user.notify_push,
        user.gentle_mode,
        user.leaderboard_opt_out,
    ) == (False, False, True, True)
    assert (user.quiet_hours_start, user.quiet_hours_end) == (time(22), time(7))
    assert response.json()["reminder_time"] == "07:30:00"
    entry = AuditLog.objects.get(action="profile_update")
    assert sorted(entry.metadata["fields"]) == sorted(payload)
    # The payload covers every writable field, so none is silently dropped.
    assert sorted(payload) == sorted(User.PROFILE_FIELDS)


def test_the_update_input_accepts_exactly_the_profile_fields():
    # A field the input accepts but the service does not write would be
    # silently dropped; one the service writes but the input lacks, unreachable.
    fields = set(UserUpdateInput(User()).fields)

    # ai_consent is written by the service as a version and a time.
    assert fields - {"email", "current_password", "ai_consent"} == set(
        User.PROFILE_FIELDS
    )


def test_mass_assignment_changes_nothing(auth_client, user):
    before = User.objects.filter(pk=user.pk).values().get()
    response = auth_client.patch(
        ME,
        {
            "is_staff": True,
            "is_superuser": True,
            "is_active": False,
            "email_verified": True,
            "email_verified_at": "2020-01-01T00:00:00Z",
            "subscription_tier": "premium",
            "subscription_expires_at": "2099-01-01T00:00:00Z",
            "date_joined": "2000-01-01T00:00:00Z",
            "token_epoch": 99,
            "password": "pwned pwned pwned",
            "id": 999,
            "bio": "Only this may change.",
        },
    )

    assert response.status_code == 200
    after = User.objects.filter(pk=user.pk).values().get()
    assert after.pop("bio") == "Only this may change."
    assert after.pop("updated_at") >= before.pop("updated_at")
    before.pop("bio")
    assert after == before
    assert response.json()["is_staff"] is False
    assert response.json()["subscription_tier"] == "free"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"timezone": "Nowhere/Land"}, "timezone"),
        ({"locale": "tlh"}, "locale"),
        ({"avatar_url": "javascript:alert(1)"}, "avatar_url"),
        ({"display_name": ""}, "display_name"),
        ({"bio": "x" * 501}, "bio"),
        ({"reminder_time": "25:00"}, "reminder_time"),
        ({"quiet_hours_start": "22:00"}, "quiet_hours_end"),
        ({"email": "new@example.com"}, "current_password"),
        ({"email": "not an email", "current_password": "x"}, "email"),
    ],
)
def test_patch_bad_input_is_400_and_changes_nothing(auth_client, user, payload, field):
    before = User.objects.filter(pk=user.pk).values().get()

    response = auth_client.patch(ME, payload)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert list(error["fields"]) == [field]
    assert User.objects.filter(pk=user.pk).values().get() == before


def test_email_change_needs_the_password_and_verification(
    auth_client, user, api_client, mailoutbox, django_capture_on_commit_callbacks
):
    old_email = user.email
    wrong = auth_client.patch(
        ME, {"email": "new@example.com", "current_password": "not it at all"}
    )
    assert wrong.status_code == 400
    assert list(wrong.json()["error"]["fields"]) == ["current_password"]

    with django_capture_on_commit_callbacks(execute=True):
        response = auth_client.patch(
            ME,
            {
                "email": "New@Example.com",
                "current_password": "correct horse battery staple",
            },
        )

    assert response.status_code == 200
    assert response.json()["email"] == old_email
    assert response.json()["pending_email"] == "new@example.com"
    by_recipient = {tuple(m.to): m for m in mailoutbox}
    assert set(by_recipient) == {("new@example.com",), (old_email,)}
    notice = by_recipient[(old_email,)]
    assert notice.subject == "Your KAYA email address is changing"
    assert "n***@example.com" in notice.body
    link = by_recipient[("new@example.com",)].body.split("/verify-email/")[1].split()[0]

    verified = api_client.get(f"/api/v1/auth/verify-email/{link}")

    assert verified.status_code == 200
    user.refresh_from_db()
    assert user.email == "new@example.com"
    assert user.pending_email == ""
    assert user.email_verified_at is not None
    assert login(api_client, "new@example.com").status_code == 200
    assert login(api_client, old_email).status_code == 401


def test_email_change_to_a_taken_address_is_refused(auth_client, user, other_user):
    response = auth_client.patch(
        ME,
        {"email": other_user.email, "current_password": "correct horse battery staple"},
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert list(response.json()["error"]["fields"]) == ["email"]
    user.refresh_from_db()
    assert user.pending_email == ""


def test_stats_has_real_numbers_only(auth_client, user):
    joined = timezone.now() - timedelta(days=2)
    User.objects.filter(pk=user.pk).update(date_joined=joined)

    response = auth_client.get("/api/v1/users/me/stats")

    assert response.status_code == 200
    # Accounts' own numbers plus exactly what the registered apps provide.
    assert response.json() == {
        "member_since": joined.date().isoformat(),
        "days_as_member": 3,
        **stats.collect(user),
    }


def test_stats_merges_what_other_apps_register(auth_client, user, monkeypatch):
    # Only one app registered: what it provides is there, nothing else invented.
    monkeypatch.setattr(
        stats,
        "providers",
        {"journal": lambda u: {"journal_entries_count": 4, "mood_entries_count": 2}},
    )

    body = auth_client.get("/api/v1/users/me/stats").json()

    assert body["journal_entries_count"] == 4
    assert body["mood_entries_count"] == 2
    assert "sessions_count" not in body


def test_stats_member_since_uses_the_users_time_zone(auth_client, user):
    joined = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)
    User.objects.filter(pk=user.pk).update(date_joined=joined, timezone="Asia/Tokyo")

    body = auth_client.get("/api/v1/users/me/stats").json()

    assert body["member_since"] == "2026-03-02"


def test_every_stat_the_apps_provide_is_documented(auth_client, user):
    from accounts.serializers import UserStatsOutput

    body = auth_client.get("/api/v1/users/me/stats").json()

    assert set(body) <= set(UserStatsOutput().fields)
    assert {"sessions_count", "duration_seconds", "journal_entries_count"} <= set(body)
    assert isinstance(body["duration_seconds"], int)


def test_patch_ai_consent_records_the_current_version_and_withdraws(
    auth_client, user, settings
):
    settings.AI_CONSENT_VERSION = 2
    response = auth_client.patch(
        "/api/v1/users/me", {"ai_consent": True}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["ai_consent"] is True
    assert response.json()["ai_consent_version"] == 2
    user.refresh_from_db()
    assert user.ai_consent_version == 2
    assert user.ai_consent_at is not None

    settings.AI_CONSENT_VERSION = 3  # a new consent text asks again
    assert auth_client.get("/api/v1/users/me").json()["ai_consent"] is False

    response = auth_client.patch(
        "/api/v1/users/me", {"ai_consent": False}, format="json"
    )
    assert response.json()["ai_consent"] is False
    user.refresh_from_db()
    assert (user.ai_consent_version, user.ai_consent_at) == (None, None)


def test_patch_ai_consent_rejects_a_non_boolean(auth_client, user):
    response = auth_client.patch(
        "/api/v1/users/me", {"ai_consent": "maybe"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert "ai_consent" in response.json()["error"]["fields"]
    user.refresh_from_db()
    assert user.ai_consent_version is None
