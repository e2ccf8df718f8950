"""manage.py export_user and delete_user: the API's privacy export and erasure,
run by an operator."""

import io
import json
import stat

import pytest
from django.core.management import CommandError, call_command

from accounts.models import AuditLog, User
from conftest import bearer
from journal.models import JournalEntry
from journal.tests.factories import JournalEntryFactory

pytestmark = pytest.mark.django_db


def test_export_user_writes_the_apis_export_document_to_stdout(user, api_client):
    JournalEntryFactory(user=user, body="A quiet walk by the river.")
    out = io.StringIO()

    call_command("export_user", user.email.upper(), stdout=out)

    document = json.loads(out.getvalue())
    api_client.credentials(HTTP_AUTHORIZATION=bearer(user))
    from_api = api_client.get("/api/v1/users/me/export").json()
    assert document["format"] == from_api["format"] == "kaya-export/1"
    assert document["user_id"] == user.pk
    assert document["apps"].keys() == from_api["apps"].keys()
    assert "A quiet walk by the river." in out.getvalue()
    assert (
        AuditLog.objects.filter(
            action=AuditLog.Action.DATA_EXPORT, user_agent="manage.py export_user"
        ).count()
        == 1
    )


def test_export_user_writes_a_private_new_file(user, tmp_path):
    target = tmp_path / "export.json"

    call_command("export_user", user.email, output=target, stderr=io.StringIO())

    assert json.loads(target.read_text())["user_id"] == user.pk
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_export_user_never_overwrites_a_file(user, tmp_path):
    target = tmp_path / "export.json"
    target.write_text("keep me")

    with pytest.raises(CommandError, match="exists"):
        call_command("export_user", user.email, output=target)
    assert target.read_text() == "keep me"


def test_export_user_fails_for_an_unknown_address():
    with pytest.raises(CommandError, match="No account with the email"):
        call_command("export_user", "nobody@example.com")


def test_delete_user_with_yes_erases_the_account_and_its_data(user, other_user):
    JournalEntryFactory(user=user)
    JournalEntryFactory(user=other_user)
    out = io.StringIO()

    call_command("delete_user", user.email, yes=True, stdout=out)

    assert not User.objects.filter(pk=user.pk).exists()
    assert list(JournalEntry.objects.values_list("user_id", flat=True)) == [
        other_user.pk
    ]
    assert f"Erased account {user.pk}" in out.getvalue()
    assert AuditLog.objects.filter(
        action=AuditLog.Action.ACCOUNT_DELETE, target_id=str(user.pk)
    ).exists()


def test_delete_user_dry_run_deletes_nothing(user):
    JournalEntryFactory(user=user)
    out = io.StringIO()

    call_command("delete_user", user.email, dry_run=True, stdout=out)

    assert User.objects.filter(pk=user.pk).exists()
    assert JournalEntry.objects.filter(user=user).count() == 1
    assert "Dry run" in out.getvalue()


def test_delete_user_without_yes_and_no_terminal_refuses(user, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(""))

    with pytest.raises(CommandError, match="--yes"):
        call_command("delete_user", user.email)
    assert User.objects.filter(pk=user.pk).exists()


def test_delete_user_asks_for_the_address_on_a_terminal(user, monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setattr("sys.stdin", Terminal(""))
    monkeypatch.setattr("builtins.input", lambda prompt: "someone-else@example.com")

    with pytest.raises(CommandError, match="Not confirmed"):
        call_command("delete_user", user.email)
    assert User.objects.filter(pk=user.pk).exists()

    monkeypatch.setattr("builtins.input", lambda prompt: user.email)
    call_command("delete_user", user.email, stdout=io.StringIO())
    assert not User.objects.filter(pk=user.pk).exists()


def test_delete_user_fails_for_an_unknown_address(user):
    with pytest.raises(CommandError, match="No account with the email"):
        call_command("delete_user", "nobody@example.com", yes=True)
    assert User.objects.count() == 1
