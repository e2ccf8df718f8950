"""Signed, expiring, single-use tokens for email links (verification, reset).

A token is ``signing.dumps({"u": user id, "e": address, "s": state})``. ``state``
is an HMAC of the account fields the link changes (the verification state, or
the password hash), so a link stops working once it has been used, without a
table of issued tokens.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac

from accounts.models import User

VERIFY_EMAIL = "verify_email"
PASSWORD_RESET = "password_reset"


class EmailTokenError(Exception):
    pass


class SpentEmailTokenError(EmailTokenError):
    """A genuine, unexpired token whose account has changed since it was made
    (typically: the link was already used). Carries what the token named."""

    def __init__(self, user: User, address: str) -> None:
        super().__init__()
        self.user = user
        self.address = address


def _max_age(purpose: str) -> int:
    if purpose == VERIFY_EMAIL:
        return int(settings.ACCOUNTS_EMAIL_VERIFY_MAX_AGE)
    return int(settings.PASSWORD_RESET_TIMEOUT)


def _state(user: User, purpose: str) -> str:
    if purpose == VERIFY_EMAIL:
        value = f"{user.email}|{user.pending_email}|{user.email_verified_at}"
    else:
        value = f"{user.password}|{user.is_active}"
    return salted_hmac(f"kaya.accounts.{purpose}.state", value).hexdigest()[:32]


def email_token_make(*, user: User, purpose: str, email: str = "") -> str:
    payload = {"u": user.pk, "e": email, "s": _state(user, purpose)}
    return signing.dumps(payload, salt=f"kaya.accounts.{purpose}", compress=True)


def email_token_read(*, token: str, purpose: str) -> tuple[User, str]:
    """The user and address a token was made for; raises EmailTokenError
    (SpentEmailTokenError when it is genuine but no longer matches the account)."""
    try:
        payload: Any = signing.loads(
            token, salt=f"kaya.accounts.{purpose}", max_age=_max_age(purpose)
        )
    except signing.BadSignature:  # also SignatureExpired
        raise EmailTokenError from None
    if not isinstance(payload, dict):
        raise EmailTokenError
    user_id = payload.get("u")
    if not isinstance(user_id, int):
        raise EmailTokenError
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise EmailTokenError
    address = str(payload.get("e", ""))
    if not constant_time_compare(str(payload.get("s", "")), _state(user, purpose)):
        raise SpentEmailTokenError(user, address)
    return user, address
