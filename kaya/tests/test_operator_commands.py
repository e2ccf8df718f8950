"""Every operator command: --help says what it does and offers --dry-run where
it changes data; purge_expired; createsuperuser with the email-based user."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command, get_commands, load_command_class
from django.utils import timezone

from accounts.models import LoginFailure, User
from notifications.models import ScheduledNotification

CHANGES_DATA = {
    "seed_demo": "kaya",
    "seed_bench": "wellness",
    "rotate_encryption_keys": "kaya",
    "recompute_achievements": "wellness",
    "send_due_reminders": "notifications",
    "purge_expired": "kaya",
    "delete_user": "accounts",
}
READS_ONLY = {"export_user": "accounts"}


@pytest.mark.parametrize("name", sorted({**CHANGES_DATA, **READS_ONLY}))
def test_every_operator_command_has_help_and_its_home_app(name):
    app = {**CHANGES_DATA, **READS_ONLY}[name]
    command = load_command_class(app, name)

    text = command.create_parser("manage.py", name).format_help()

    assert get_commands()[name] == app
    assert command.help.strip()
    assert len(command.help) > 40
    if name in CHANGES_DATA:
        assert "--dry-run" in text


# --- purge_expired ---------------------------------------------------------


@pytest.fixture
def expired(db, user):
    now = timezone.now()
    LoginFailure.objects.create(
        email="x@example.com", created_at=now - timedelta(days=2)
    )
    LoginFailure.objects.create(email="y@example.com", created_at=now)
    ScheduledNotification.objects.create(
        user=user,
        type="system",
        title="Old",
        send_at=now - timedelta(days=40),
        dedupe_key="old",
        status=ScheduledNotification.Status.SENT,
    )
    ScheduledNotification.objects.create(
        user=user,
        type="system",
        title="Pending",
        send_at=now - timedelta(days=40),
        dedupe_key="pending",
    )
    Session.objects.create(
        session_key="expired", session_data="", expire_date=now - timedelta(days=1)
    )
    Session.objects.create(
        session_key="live", session_data="", expire_date=now + timedelta(days=1)
    )


def _left():
    return (
        sorted(LoginFailure.objects.values_list("email", flat=True)),
        sorted(ScheduledNotification.objects.values_list("dedupe_key", flat=True)),
        sorted(Session.objects.values_list("session_key", flat=True)),
    )


def test_purge_expired_dry_run_counts_and_deletes_nothing(expired, capsys):
    before = _left()

    call_command("purge_expired", dry_run=True)

    assert _left() == before
    out = capsys.readouterr().out
    assert "login failures: 1 would be deleted" in out
    assert "scheduled notifications: 1 would be deleted" in out
    assert "admin sessions: 1 would be deleted" in out
    assert "Dry run: would delete 3 rows." in out


def test_purge_expired_deletes_only_what_is_past_retention(expired, capsys):
    call_command("purge_expired")

    assert _left() == (["y@example.com"], ["pending"], ["live"])
    assert "Done: deleted 3 rows." in capsys.readouterr().out


def test_purge_expired_calls_the_ai_chat_purge_when_installed(db, monkeypatch, capsys):
    import coaching.services

    seen = []

    def ai_chat_purge_expired(*, now):
        seen.append(now)
        return 4

    monkeypatch.setattr(
        coaching.services, "ai_chat_purge_expired", ai_chat_purge_expired, raising=False
    )

    call_command("purge_expired")

    assert len(seen) == 1
    assert "AI chat conversations: 4 deleted" in capsys.readouterr().out


def test_purge_expired_fails_with_a_clear_message(db, monkeypatch):
    from django.core.management import CommandError
    from django.db import OperationalError

    from kaya.management.commands import purge_expired

    def broken():
        raise OperationalError("database is locked")

    monkeypatch.setattr(purge_expired, "login_failures_purge", broken)

    with pytest.raises(CommandError, match=r"Purging login failures failed.*locked"):
        call_command("purge_expired")


# --- createsuperuser -------------------------------------------------------


def test_createsuperuser_works_non_interactively_with_the_email_user(
    db, monkeypatch, client
):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-operator-password")

    call_command(
        "createsuperuser", interactive=False, email="Ops@Example.com", verbosity=0
    )

    user = User.objects.get(email="ops@example.com")
    assert user.is_superuser and user.is_staff
    assert user.check_password("a-long-operator-password")
    assert client.login(email="ops@example.com", password="a-long-operator-password")
    assert client.get("/admin/").status_code == 200
