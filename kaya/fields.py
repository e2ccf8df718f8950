"""Model fields encrypted at rest with ``cryptography``'s MultiFernet.

Keys come from ``settings.FIELD_ENCRYPTION_KEYS`` (newest first): values are
encrypted with the first key and decrypted with whichever key matches, so a new key
can be put in front and ``manage.py rotate_encryption_keys`` re-encrypts old rows.

A value that no configured key can decrypt raises ``DecryptionError``: ciphertext
is never handed back as if it were text.

An empty text (``EncryptedTextField``'s ``""``: an optional note left blank) is
stored as ``""``, not as a token: there is nothing in it to protect (a token's
length already tells a text under 16 bytes from a longer one, and the mood,
score and intensity beside a note are not encrypted), and reading the blank
notes most rows have then decrypts nothing. Every non-empty text is a token.

Encrypted columns cannot be filtered or ordered on (Fernet tokens are
randomised), only tested for NULL.

The fields are generic: any app can use them for its most private text.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass
from functools import cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder
from django.core.signals import setting_changed
from django.db import models
from django.dispatch import receiver


class DecryptionError(RuntimeError):
    """A stored value could not be decrypted with any configured key."""


@cache
def _fernets(keys: tuple[str, ...]) -> tuple[Fernet, ...]:
    if not keys:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS is empty: encrypted fields need at least one key."
        )
    fernets = []
    for position, key in enumerate(keys, start=1):
        try:
            fernets.append(Fernet(key))
        except (ValueError, TypeError):
            # Never echo the key itself.
            raise ImproperlyConfigured(
                f"FIELD_ENCRYPTION_KEYS entry {position} is not a valid Fernet key "
                "(32 url-safe base64-encoded bytes)."
            ) from None
    return tuple(fernets)


def configured_keys() -> tuple[str, ...]:
    keys = getattr(settings, "FIELD_ENCRYPTION_KEYS", None)
    if isinstance(keys, str):
        keys = [k.strip() for k in keys.split(",") if k.strip()]
    return tuple(keys or ())


@cache
def _multifernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet(list(_fernets(keys)))


def multifernet() -> MultiFernet:
    # One per key list: every encrypted value read goes through here (a page
    # of journal entries decrypts 40), so it is not rebuilt per value.
    return _multifernet(configured_keys())


def primary_fernet() -> Fernet:
    return _fernets(configured_keys())[0]


@dataclass(frozen=True)
class _ReadKey:
    """One configured key as reads use it: an HMAC-SHA256 keyed with its
    signing half (copied per value, not re-keyed) and the AES algorithm of
    its encryption half."""

    signing: Any  # hmac.HMAC
    aes: algorithms.AES


@cache
def _read_keys(keys: tuple[str, ...]) -> tuple[_ReadKey, ...]:
    _fernets(keys)  # validates them, with its messages
    read_keys = []
    for key in keys:
        raw = base64.urlsafe_b64decode(key)
        signing = hmac.new(raw[:16], digestmod=hashlib.sha256)
        read_keys.append(_ReadKey(signing, algorithms.AES(raw[16:])))
    return tuple(read_keys)


# What base64.urlsafe_b64decode does before binascii's decoder.
_URLSAFE_TO_STANDARD = bytes.maketrans(b"-_", b"+/")
# Sound PKCS7 padding of n bytes (1 to 16), by its last byte.
_PADDING = {n: bytes([n]) * n for n in range(1, 17)}


def _fernet_decrypt(keys: tuple[_ReadKey, ...], token: bytes) -> bytes:
    """``MultiFernet.decrypt(token)`` (no TTL): the same token format and
    checks, in the same order, key by key (the first key whose HMAC matches and
    whose padding is sound decrypts). What it saves per value (every note of a
    month of moods, two per journal entry) is the re-keyed HMAC, the per-call
    lookups and the unpadder object; ``cryptography`` still does the AES-CBC
    decryption, and the tag is compared in constant time before it. The
    padding is checked after the tag matched (only the key's holder can make
    such a token), so the check need not be constant-time; it refuses what
    ``cryptography``'s PKCS7 unpadder refuses (journal/tests/test_fields.py
    compares both over well and badly padded tokens)."""
    try:
        data = binascii.a2b_base64(token.translate(_URLSAFE_TO_STANDARD))
    except (TypeError, binascii.Error):
        raise InvalidToken from None
    if not data or data[0] != 0x80 or len(data) < 9:
        raise InvalidToken
    signed, tag = memoryview(data)[:-32], data[-32:]
    for key in keys:
        mac = key.signing.copy()
        mac.update(signed)
        if not hmac.compare_digest(mac.digest(), tag):
            continue
        decryptor = Cipher(key.aes, modes.CBC(data[9:25])).decryptor()
        try:
            padded = decryptor.update(signed[25:]) + decryptor.finalize()
        except ValueError:  # not a whole number of blocks
            continue
        size = padded[-1] if padded else 0
        if _PADDING.get(size) != padded[-size:]:
            continue
        return padded[:-size]
    raise InvalidToken


@cache
def _configured_read_keys() -> tuple[_ReadKey, ...]:
    # The setting parsed once (not per value); cleared when it changes.
    return _read_keys(configured_keys())


@receiver(setting_changed)
def _keys_changed(*, setting: str, **kwargs: Any) -> None:
    if setting == "FIELD_ENCRYPTION_KEYS":
        _fernets.cache_clear()
        _multifernet.cache_clear()
        _read_keys.cache_clear()
        _configured_read_keys.cache_clear()


def encrypt_str(plaintext: str) -> str:
    return multifernet().encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt_str(token: str) -> str:
    try:
        keys = _configured_read_keys()
        return _fernet_decrypt(keys, token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeError):
        raise DecryptionError(
            "An encrypted value could not be decrypted with any key in "
            "FIELD_ENCRYPTION_KEYS (wrong or missing key, or corrupt data)."
        ) from None


def is_encrypted_with_primary(token: str) -> bool:
    """Whether the newest key alone decrypts ``token`` (rotation can skip it)."""
    try:
        primary_fernet().decrypt(token.encode("ascii"))
    except (InvalidToken, UnicodeError):
        return False
    return True


class EncryptedFieldMixin:
    """Stores ``encode(value)`` encrypted in a text column; reads decrypt it.

    Subclasses define ``encode`` (Python value -> str) and ``decode`` (the reverse).
    """

    encrypted = True
    # Whether an empty encoding is stored as "" (see the module doc).
    stores_empty_as_empty = False

    def encode(self, value: Any) -> str:
        raise NotImplementedError

    def decode(self, text: str) -> Any:
        raise NotImplementedError

    def get_internal_type(self) -> str:
        return "TextField"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None:
            return None
        if value == "" and self.stores_empty_as_empty:
            return self.decode("")
        return self.decode(decrypt_str(value))

    def get_prep_value(self, value: Any) -> Any:
        if value is None:
            return None
        text = self.encode(value)
        if text == "" and self.stores_empty_as_empty:
            return ""
        return encrypt_str(text)

    def get_lookup(self, lookup_name: str) -> Any:
        # Tokens are randomised: equality, contains or ranges on them would
        # silently match nothing, so only isnull exists (others: FieldError).
        if lookup_name != "isnull":
            return None
        return super().get_lookup(lookup_name)  # type: ignore[misc]

    def get_transform(self, lookup_name: str) -> Any:
        return None


class EncryptedTextField(EncryptedFieldMixin, models.TextField):
    """Plain text, encrypted at rest (an empty text is stored empty). Use
    ``max_length`` checks in the serializer."""

    stores_empty_as_empty = True

    def encode(self, value: Any) -> str:
        return str(value)

    def decode(self, text: str) -> str:
        return text

    def to_python(self, value: Any) -> Any:
        if value is None or isinstance(value, str):
            return value
        return str(value)


class EncryptedJSONField(EncryptedFieldMixin, models.TextField):
    """A JSON-serialisable value (list, dict, ...), encrypted at rest."""

    # For django-stubs: the Python value is any JSON value, not a str.
    _pyi_private_set_type: Any
    _pyi_private_get_type: Any

    def __init__(self, *args: Any, encoder: Any = None, **kwargs: Any) -> None:
        self.encoder = encoder or DjangoJSONEncoder
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if self.encoder is not DjangoJSONEncoder:
            kwargs["encoder"] = self.encoder
        return name, path, args, kwargs

    def encode(self, value: Any) -> str:
        return json.dumps(value, cls=self.encoder, separators=(",", ":"))

    def decode(self, text: str) -> Any:
        return json.loads(text)

    def to_python(self, value: Any) -> Any:
        return value

    def value_to_string(self, obj: models.Model) -> str:
        return self.encode(self.value_from_object(obj))


def encrypted_field_names(model: type[models.Model]) -> list[str]:
    """Concrete encrypted fields of ``model`` (used by key rotation)."""
    return [
        f.name
        for f in model._meta.concrete_fields
        if isinstance(f, EncryptedFieldMixin)
    ]


def check_encryption_keys_deployed(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    """Deploy check: production must have dedicated field-encryption keys."""
    from django.core import checks

    if configured_keys():
        return []
    return [
        checks.Error(
            "FIELD_ENCRYPTION_KEYS is empty: encrypted fields cannot be read or "
            "written. Set it (see .env.example).",
            id="kaya.E102",
        )
    ]


def check_encryption_keys(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    """System check: every configured key must be a valid Fernet key. (An empty
    list is refused at first use and by the deploy check kaya.E102.)"""
    from django.core import checks

    if not configured_keys():
        return []
    try:
        _fernets(configured_keys())
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="kaya.E101")]
    return []
