"""The one canonical form of an email address.

Storage, the unique constraint, every lookup, the login lockout key and email
changes all use ``email_canonical``, and lookups compare it exactly
(``email=canonical``), never with ``iexact``: PostgreSQL's ``UPPER()`` folds
U+0131 (dotless i) to ``I`` and U+017F (long s) to ``S`` while Python's
``.lower()`` does not, so a case-insensitive lookup let look-alike spellings
reach another account.

The rules (also in the README's security section):

- NFKC-normalised and stripped; control, format and other invisible characters
  (Unicode category C) and inner whitespace are refused.
- The local part must be ASCII and is lower-cased. A non-ASCII local part is
  refused (code ``email_not_ascii``): Unicode mailbox names cannot be
  lower-cased and matched safely across mail servers and databases.
- The domain is IDNA-encoded (UTS 46, as browsers and resolvers do) and stored as
  lower-case ASCII punycode, so ``bücher.de`` is ``xn--bcher-kva.de`` and a
  dotless i (U+0131) makes a distinct ``xn--`` domain, never ``i``.

Two inputs with the same canonical form are one account.
"""

from __future__ import annotations

import unicodedata

import idna
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email

MAX_LENGTH = 254
INVALID = "email_invalid"
NOT_ASCII = "email_not_ascii"


class EmailAddressError(DjangoValidationError):
    """A Django ValidationError, so model fields, admin forms, createsuperuser and
    serializers all report it as a field error; ``code`` says which rule failed.

    It deliberately does not build on ``kaya.exceptions`` (which imports DRF):
    ``accounts.models`` imports this module while the app registry is loading.
    """

    def __init__(
        self, message: str = "Enter a valid email address.", code: str = INVALID
    ) -> None:
        super().__init__(message, code=code)


def _not_ascii() -> EmailAddressError:
    return EmailAddressError(
        "Use ASCII letters, digits and . _ + - before the @; "
        "other characters are not accepted there.",
        code=NOT_ASCII,
    )


def email_canonical(address: str) -> str:
    """The canonical form of ``address``; raises EmailAddressError (a 400).

    Idempotent: the canonical form of a canonical form is itself.
    """
    if not isinstance(address, str):
        raise EmailAddressError
    value = unicodedata.normalize("NFKC", address).strip()
    if any(unicodedata.category(ch)[0] == "C" or ch.isspace() for ch in value):
        raise EmailAddressError
    local, at, domain = value.rpartition("@")
    if not at or not local or not domain:
        raise EmailAddressError
    if not local.isascii():
        raise _not_ascii()
    try:
        ascii_domain = idna.encode(domain.rstrip("."), uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError, ValueError):
        raise EmailAddressError from None
    canonical = f"{local.lower()}@{ascii_domain.lower()}"
    if len(canonical) > MAX_LENGTH:
        raise EmailAddressError
    try:
        validate_email(canonical)
    except DjangoValidationError:
        raise EmailAddressError from None
    return canonical


def validate_email_canonicalisable(value: str) -> None:
    """Field validator (model, admin forms, createsuperuser)."""
    email_canonical(value)
