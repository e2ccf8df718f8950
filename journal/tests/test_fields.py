"""The encrypted fields: round trip, nothing readable at rest, loud on a bad key."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import connection

from journal.models import GratitudeEntry, JournalEntry, MoodEntry
from journal.tests.factories import (
    GratitudeEntryFactory,
    JournalEntryFactory,
    MoodEntryFactory,
)
from kaya.fields import DecryptionError, check_encryption_keys

KEY_A = Fernet.generate_key().decode()
KEY_B = Fernet.generate_key().decode()
ROOT = Path(__file__).resolve().parents[2]


def raw_column(model, pk, column):
    table = connection.ops.quote_name(model._meta.db_table)
    col = connection.ops.quote_name(column)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {col} FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_encrypted_values_round_trip():
    entry = JournalEntryFactory(title="Dear diary", body="I felt brave today.")
    gratitude = GratitudeEntryFactory(items=["my sister", "sunlight"])
    mood = MoodEntryFactory(note="slept badly")

    assert JournalEntry.objects.get(pk=entry.pk).title == "Dear diary"
    assert JournalEntry.objects.get(pk=entry.pk).body == "I felt brave today."
    assert GratitudeEntry.objects.get(pk=gratitude.pk).items == [
        "my sister",
        "sunlight",
    ]
    assert MoodEntry.objects.get(pk=mood.pk).note == "slept badly"


@pytest.mark.django_db
def test_raw_columns_hold_no_plaintext(settings):
    entry = JournalEntryFactory(title="Secret title", body="Secret body text")
    gratitude = GratitudeEntryFactory(items=["Secret item"])
    mood = MoodEntryFactory(note="Secret note")

    raw = {
        "title": raw_column(JournalEntry, entry.pk, "title"),
        "body": raw_column(JournalEntry, entry.pk, "body"),
        "items": raw_column(GratitudeEntry, gratitude.pk, "items"),
        "note": raw_column(MoodEntry, mood.pk, "note"),
    }
    for name, value in raw.items():
        assert "Secret" not in value, name
        assert "secret" not in value.lower(), name
        # A Fernet token: version byte 0x80 base64-encoded starts with "gAAAAA".
        assert value.startswith("gAAAAA"), name
    key = settings.FIELD_ENCRYPTION_KEYS[0]
    assert Fernet(key).decrypt(raw["body"].encode()) == b"Secret body text"


@pytest.mark.django_db
def test_wrong_key_raises_instead_of_returning_ciphertext(settings):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
    entry = JournalEntryFactory(body="only key A can read this")
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B]

    with pytest.raises(DecryptionError):
        JournalEntry.objects.get(pk=entry.pk)


@pytest.mark.django_db
def test_missing_key_raises(settings):
    settings.FIELD_ENCRYPTION_KEYS = []
    with pytest.raises(ImproperlyConfigured):
        JournalEntryFactory(body="no key")


@pytest.mark.django_db
def test_malformed_key_raises_without_echoing_it(settings):
    settings.FIELD_ENCRYPTION_KEYS = ["not-a-fernet-key"]
    with pytest.raises(ImproperlyConfigured) as excinfo:
        JournalEntryFactory(body="bad key")
    assert "not-a-fernet-key" not in str(excinfo.value)


@pytest.mark.django_db
def test_older_keys_still_decrypt(settings):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
    entry = JournalEntryFactory(body="written under A")
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]

    assert JournalEntry.objects.get(pk=entry.pk).body == "written under A"


@pytest.mark.django_db
def test_filtering_on_an_encrypted_field_is_refused():
    with pytest.raises(FieldError):
        list(JournalEntry.objects.filter(body="x"))
    with pytest.raises(FieldError):
        list(JournalEntry.objects.filter(title__icontains="x"))
    assert list(JournalEntry.objects.filter(body__isnull=True)) == []


def test_system_check_reports_a_malformed_key(settings):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A, "short"]

    errors = check_encryption_keys()

    assert [(e.id, e.msg) for e in errors] == [
        (
            "kaya.E101",
            "FIELD_ENCRYPTION_KEYS entry 2 is not a valid Fernet key "
            "(32 url-safe base64-encoded bytes).",
        )
    ]


def test_system_check_passes_with_valid_keys(settings):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A, KEY_B]

    assert check_encryption_keys() == []


@pytest.mark.django_db
def test_comma_separated_key_string_is_accepted(settings):
    settings.FIELD_ENCRYPTION_KEYS = f"{KEY_B}, {KEY_A}"
    entry = JournalEntryFactory(body="string keys")

    settings.FIELD_ENCRYPTION_KEYS = [KEY_B]
    assert JournalEntry.objects.get(pk=entry.pk).body == "string keys"


def _settings_keys(var_dir, **env_overrides):
    """FIELD_ENCRYPTION_KEYS as a fresh process with this environment sees them."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "SECRET_KEY", "FIELD_ENCRYPTION_KEYS"}
    }
    env.update(env_overrides, KAYA_VAR_DIR=str(var_dir))
    script = (
        "import django; django.setup(); from django.conf import settings; "
        "print(','.join(settings.FIELD_ENCRYPTION_KEYS))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "kaya.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_development_key_is_generated_under_var_once_and_kept(tmp_path):
    first = _settings_keys(tmp_path)
    second = _settings_keys(tmp_path)

    key_file = tmp_path / "dev-field-encryption-key"
    assert first == second == key_file.read_text().strip()
    Fernet(first)  # a valid Fernet key


def test_no_development_key_with_debug_off(tmp_path):
    keys = _settings_keys(tmp_path, DEBUG="0", SECRET_KEY="s" * 50)

    assert keys == ""
    assert not (tmp_path / "dev-field-encryption-key").exists()


# --- reads decrypt as MultiFernet does --------------------------------------


def _token(key, plaintext, *, padded=None):
    """A Fernet token of ``plaintext`` under ``key``; with ``padded``, those
    raw bytes encrypted as they are (no PKCS7 padding added) and signed."""
    import base64
    import hashlib
    import hmac

    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    if padded is None:
        return Fernet(key).encrypt(plaintext).decode("ascii")
    raw = base64.urlsafe_b64decode(key)
    iv = bytes(range(16))
    encryptor = Cipher(algorithms.AES(raw[16:]), modes.CBC(iv)).encryptor()
    body = b"\x80" + (1).to_bytes(8, "big") + iv + encryptor.update(padded)
    body += encryptor.finalize()
    tag = hmac.new(raw[:16], body, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(body + tag).decode("ascii")


def _signed(key, token, *, cut):
    """``token``'s body, its last ``cut`` ciphertext bytes removed, signed
    again with ``key``: a sound tag over a ciphertext of no whole blocks."""
    import base64
    import hashlib
    import hmac

    body = base64.urlsafe_b64decode(token)[:-32][:-cut]
    tag = hmac.new(base64.urlsafe_b64decode(key)[:16], body, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(body + tag).decode("ascii")


def _multifernet_reads(keys, token):
    from cryptography.fernet import InvalidToken, MultiFernet

    try:
        return MultiFernet([Fernet(k) for k in keys]).decrypt(token.encode("ascii"))
    except InvalidToken:
        return None


def _decrypt_str_reads(token):
    from kaya.fields import decrypt_str

    try:
        return decrypt_str(token).encode("utf-8")
    except DecryptionError:
        return None


def _tampered(token):
    """The token with one byte changed in each of its parts (version,
    timestamp, IV, ciphertext, HMAC), cut short, and not base64."""
    import base64

    data = base64.urlsafe_b64decode(token)
    for position in (0, 3, 12, 30, len(data) - 1):
        changed = bytearray(data)
        changed[position] ^= 0x01
        yield base64.urlsafe_b64encode(bytes(changed)).decode("ascii")
    yield base64.urlsafe_b64encode(data[:-1]).decode("ascii")
    yield base64.urlsafe_b64encode(data[:8]).decode("ascii")
    yield token[:-3]
    yield "not a token!"
    yield ""


def test_decryption_reads_what_multifernet_reads(settings):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]
    tokens = []
    for key in (KEY_A, KEY_B):
        for text in ("", "a", "x" * 15, "y" * 16, "é" * 700, "slept badly"):
            tokens.append(_token(key, text.encode("utf-8")))
    tokens.append(_token(Fernet.generate_key(), b"another key"))
    # Signed with the key but not padded: refused after the HMAC matched.
    tokens.append(_token(KEY_A, b"", padded=b"sixteen bytes!!\x00"))
    tokens.append(_token(KEY_A, b"", padded=b"fifteen bytes!!\x02"))
    tokens.append(_token(KEY_A, b"", padded=b"fourteen bytes\x03\x02"))
    tokens.append(_token(KEY_A, b"", padded=b"sixteen bytes!!\x11"))
    tokens.append(_token(KEY_A, b"", padded=b"\x10" * 15 + b"\x20"))
    tokens.append(_token(KEY_A, b"", padded=b""))  # no ciphertext at all
    tokens.append(_signed(KEY_A, _token(KEY_B, b"a" * 20), cut=1))  # not whole blocks
    tokens += [t for token in tokens[:2] for t in _tampered(token)]

    reads = [_decrypt_str_reads(token) for token in tokens]

    assert reads == [_multifernet_reads([KEY_B, KEY_A], t) for t in tokens]
    assert reads[:2] == [b"", b"a"]
    assert reads[-25:] == [None] * 25
    # Well padded by hand: read as Fernet reads it.
    assert _decrypt_str_reads(_token(KEY_A, b"", padded=b"fifteen bytes!!\x01")) == (
        b"fifteen bytes!!"
    )
    assert _decrypt_str_reads(_token(KEY_A, b"", padded=b"\x10" * 16)) == b""
    padded = b"twelve bytes" + b"\x04" * 4
    assert _decrypt_str_reads(_token(KEY_A, b"", padded=padded)) == b"twelve bytes"


def test_decryption_follows_a_key_change(settings):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
    token = _token(KEY_B, b"under B")
    assert _decrypt_str_reads(token) is None

    settings.FIELD_ENCRYPTION_KEYS = [KEY_A, KEY_B]
    assert _decrypt_str_reads(token) == b"under B"
