"""manage.py rotate_encryption_keys: every encrypted row of every model moves to
the newest key, batch by batch; old keys can then be dropped."""

from __future__ import annotations

from io import StringIO

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from journal.models import GratitudeEntry, JournalEntry, MoodEntry
from journal.tests.factories import (
    GratitudeEntryFactory,
    JournalEntryFactory,
    MoodEntryFactory,
)
from journal.tests.test_fields import raw_column
from kaya.management.commands.rotate_encryption_keys import encrypted_models

pytestmark = pytest.mark.django_db

OLD = Fernet.generate_key().decode()
NEW = Fernet.generate_key().decode()


def rotate(*args: str) -> str:
    out = StringIO()
    call_command("rotate_encryption_keys", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def old_rows(settings, user):
    settings.FIELD_ENCRYPTION_KEYS = [OLD]
    return {
        "journal": [
            JournalEntryFactory(user=user, title=f"title {i}", body=f"body {i}")
            for i in range(5)
        ],
        "gratitude": [GratitudeEntryFactory(user=user, items=["a", "b"])],
        "mood": [
            MoodEntryFactory(user=user, note="a note"),
            MoodEntryFactory(user=user, note=""),
        ],
    }


def test_encrypted_models_are_discovered_across_the_project():
    found = {model._meta.label: fields for model, fields in encrypted_models()}

    assert found["journal.JournalEntry"] == ["title", "body"]
    assert found["journal.GratitudeEntry"] == ["items"]
    assert found["journal.MoodEntry"] == ["note"]
    assert "journal.Prompt" not in found


def test_rotate_then_drop_the_old_key(settings, old_rows):
    updated_at = {e.pk: e.updated_at for e in JournalEntry.objects.all()}
    settings.FIELD_ENCRYPTION_KEYS = [NEW, OLD]

    output = rotate("--batch-size", "2")

    settings.FIELD_ENCRYPTION_KEYS = [NEW]
    assert [(e.title, e.body) for e in JournalEntry.objects.order_by("id")] == [
        (f"title {i}", f"body {i}") for i in range(5)
    ]
    assert [g.items for g in GratitudeEntry.objects.all()] == [["a", "b"]]
    assert sorted(m.note for m in MoodEntry.objects.all()) == ["", "a note"]
    # The raw columns now open with the new key alone, not with the old one.
    for i, entry in enumerate(old_rows["journal"]):
        token = raw_column(JournalEntry, entry.pk, "body").encode()
        assert Fernet(NEW).decrypt(token) == f"body {i}".encode()
        with pytest.raises(InvalidToken):
            Fernet(OLD).decrypt(token)
    # Rotation is not an edit.
    assert {e.pk: e.updated_at for e in JournalEntry.objects.all()} == updated_at
    assert "journal.JournalEntry: 2/5 checked, 2 re-encrypted" in output
    assert "journal.JournalEntry: 4/5 checked, 4 re-encrypted" in output
    assert "journal.JournalEntry: 5/5 checked, 5 re-encrypted" in output
    # The empty mood note holds no token (kaya.fields): 7 rows, not 8.
    assert "Done: 7 rows re-encrypted." in output


def test_a_second_run_skips_rows_already_on_the_newest_key(settings, old_rows):
    settings.FIELD_ENCRYPTION_KEYS = [NEW, OLD]
    rotate()

    output = rotate()

    assert "Done: 0 rows re-encrypted." in output
    assert "journal.JournalEntry: 5/5 checked, 0 re-encrypted" in output


def test_resume_after_a_primary_key(settings, old_rows):
    first, *rest = old_rows["journal"]
    settings.FIELD_ENCRYPTION_KEYS = [NEW, OLD]

    output = rotate("--model", "journal.JournalEntry", "--after-pk", str(first.pk))

    assert "Done: 4 rows re-encrypted." in output
    first_token = raw_column(JournalEntry, first.pk, "body").encode()
    assert Fernet(OLD).decrypt(first_token) == b"body 0"
    for entry in rest:
        Fernet(NEW).decrypt(raw_column(JournalEntry, entry.pk, "body").encode())
    # Other models were not touched.
    mood = old_rows["mood"][0]
    assert Fernet(OLD).decrypt(raw_column(MoodEntry, mood.pk, "note").encode()) == (
        b"a note"
    )


def test_rotation_without_the_old_key_fails_loudly_and_changes_nothing(
    settings, old_rows
):
    settings.FIELD_ENCRYPTION_KEYS = [NEW]
    before = raw_column(JournalEntry, old_rows["journal"][0].pk, "body")

    with pytest.raises(CommandError, match="no key in FIELD_ENCRYPTION_KEYS"):
        rotate("--model", "journal.JournalEntry")

    assert raw_column(JournalEntry, old_rows["journal"][0].pk, "body") == before


@pytest.mark.parametrize(
    "args, message",
    [
        (["--batch-size", "0"], "--batch-size must be at least 1."),
        (["--model", "journal.Prompt"], "No encrypted fields on: journal.prompt."),
        (["--after-pk", "3"], "--after-pk needs exactly one --model."),
    ],
)
def test_bad_arguments(args, message):
    with pytest.raises(CommandError, match=message.replace(".", r"\.")):
        rotate(*args)


@pytest.mark.postgres
def test_rotation_locks_each_batch(settings, old_rows):
    settings.FIELD_ENCRYPTION_KEYS = [NEW, OLD]

    with CaptureQueriesContext(connection) as queries:
        rotate("--model", "journal.JournalEntry", "--batch-size", "2")

    locked = [q["sql"] for q in queries.captured_queries if "FOR UPDATE" in q["sql"]]
    # Batches of 2, 2, 1 and the final empty read.
    assert len(locked) == 4
    assert all("LIMIT 2" in sql for sql in locked)


def test_dry_run_checks_and_counts_but_writes_nothing(settings, old_rows):
    before = raw_column(JournalEntry, old_rows["journal"][0].pk, "body")
    settings.FIELD_ENCRYPTION_KEYS = [NEW, OLD]

    output = rotate("--dry-run")

    assert raw_column(JournalEntry, old_rows["journal"][0].pk, "body") == before
    assert "journal.JournalEntry: 5/5 checked, 5 to re-encrypt" in output
    # The empty mood note holds no token (kaya.fields): 7 rows, not 8.
    assert "Dry run: 7 rows would be re-encrypted; nothing was written." in output


def test_dry_run_still_fails_on_a_value_no_key_opens(settings, old_rows):
    settings.FIELD_ENCRYPTION_KEYS = [NEW]

    with pytest.raises(CommandError, match="no key in FIELD_ENCRYPTION_KEYS"):
        rotate("--dry-run", "--model", "journal.JournalEntry")
