"""Encryption at rest, project-wide: the exact set of encrypted columns, and
ciphertext (never the plaintext) in the database for each of them.

A private-text column that loses its encrypted field class (or a new one added
without it) fails here, whichever app it lives in.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.apps import apps
from django.db import connection, models
from django.utils import timezone

from accounts.tests.factories import UserFactory
from coaching.models import (
    AIConversation,
    AIGenerationJob,
    AIMessage,
    TherapistBooking,
)
from coaching.tests.factories import TherapistFactory
from journal.models import GratitudeEntry, JournalEntry, MoodEntry
from journal.tests.factories import (
    GratitudeEntryFactory,
    JournalEntryFactory,
    MoodEntryFactory,
)
from kaya.fields import EncryptedFieldMixin, decrypt_str
from wellness.models import WellnessSession
from wellness.tests.factories import WellnessSessionFactory

SECRET = "Kestrel-7731 private words"

# (model, field) -> a factory call that writes SECRET into that field.
ENCRYPTED_COLUMNS: dict[tuple[type[models.Model], str], Callable[[], Any]] = {
    (JournalEntry, "title"): lambda: JournalEntryFactory(title=SECRET),
    (JournalEntry, "body"): lambda: JournalEntryFactory(
        body=SECRET, body_length=len(SECRET)
    ),
    (GratitudeEntry, "items"): lambda: GratitudeEntryFactory(
        items=[SECRET], item_count=1
    ),
    (MoodEntry, "note"): lambda: MoodEntryFactory(note=SECRET),
    (WellnessSession, "notes"): lambda: WellnessSessionFactory(notes=SECRET),
    (TherapistBooking, "note"): lambda: TherapistBooking.objects.create(
        user=UserFactory(),
        therapist=TherapistFactory(),
        starts_at=timezone.now() + timedelta(days=2),
        ends_at=timezone.now() + timedelta(days=2, hours=1),
        note=SECRET,
    ),
    (AIConversation, "title"): lambda: AIConversation.objects.create(
        user=UserFactory(), title=SECRET
    ),
    (AIMessage, "body"): lambda: AIMessage.objects.create(
        conversation=AIConversation.objects.create(user=UserFactory()),
        role=AIMessage.Role.USER,
        body=SECRET,
    ),
    (AIGenerationJob, "params"): lambda: AIGenerationJob.objects.create(
        user=UserFactory(), kind="session", params={"goal": SECRET}, request_hash="h"
    ),
    (AIGenerationJob, "result"): lambda: AIGenerationJob.objects.create(
        user=UserFactory(), kind="session", result={"title": SECRET}, request_hash="h"
    ),
}


def _label(model: type[models.Model], field: str) -> str:
    return f"{model._meta.label}.{field}"


def test_the_encrypted_columns_are_exactly_the_private_text_columns():
    found = {
        _label(model, field.name)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedFieldMixin)
    }

    assert found == {
        "journal.JournalEntry.title",
        "journal.JournalEntry.body",
        "journal.GratitudeEntry.items",
        "journal.MoodEntry.note",
        "wellness.WellnessSession.notes",
        "coaching.TherapistBooking.note",
        "coaching.AIConversation.title",
        "coaching.AIMessage.body",
        "coaching.AIGenerationJob.params",
        "coaching.AIGenerationJob.result",
    }
    assert found == {_label(model, field) for model, field in ENCRYPTED_COLUMNS}


def _raw_value(model: type[models.Model], field_name: str, pk: int) -> str:
    column = connection.ops.quote_name(model._meta.get_field(field_name).column)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        return str(cursor.fetchone()[0])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("model", "field_name"),
    list(ENCRYPTED_COLUMNS),
    ids=[_label(model, field) for model, field in ENCRYPTED_COLUMNS],
)
def test_each_encrypted_column_holds_ciphertext_in_the_database(model, field_name):
    row = ENCRYPTED_COLUMNS[model, field_name]()

    raw = _raw_value(model, field_name, row.pk)

    assert SECRET not in raw
    assert "kestrel" not in raw.lower()
    # A Fernet token: the version byte 0x80, base64-encoded, starts "gAAAAA".
    assert raw.startswith("gAAAAA")
    assert SECRET in decrypt_str(raw)
    assert model.objects.filter(pk=row.pk).values_list(field_name, flat=True).get() in (
        SECRET,
        [SECRET],
        {"goal": SECRET},
        {"title": SECRET},
    )


@pytest.mark.django_db
def test_an_empty_text_is_stored_empty_and_a_token_of_one_still_reads():
    from kaya.fields import encrypt_str

    blank = MoodEntryFactory(note="")
    # Nothing to protect: no token, and nothing to decrypt on reads.
    assert _raw_value(MoodEntry, "note", blank.pk) == ""
    assert MoodEntry.objects.get(pk=blank.pk).note == ""
    # A row written before (an empty text's token) reads as before.
    legacy = MoodEntryFactory(note="x")
    column = connection.ops.quote_name("note")
    table = connection.ops.quote_name(MoodEntry._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {column} = %s WHERE id = %s",
            [encrypt_str(""), legacy.pk],
        )
    assert _raw_value(MoodEntry, "note", legacy.pk).startswith("gAAAAA")
    assert MoodEntry.objects.get(pk=legacy.pk).note == ""
    # A JSON value is never empty text: an empty list is still a token.
    assert _raw_value(
        GratitudeEntry, "items", GratitudeEntryFactory(items=[], item_count=0).pk
    ).startswith("gAAAAA")
