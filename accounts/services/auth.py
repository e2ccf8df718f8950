"""Sign-up and login, with the per-account lockout counted in the database."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.addresses import NOT_ASCII, EmailAddressError, email_canonical
from accounts.context import EMPTY_CONTEXT, RequestContext
from accounts.exceptions import (
    EmailInvalidError,
    EmailNotAsciiError,
    InvalidCredentialsError,
    LoginLockedError,
)
from accounts.jwt import (
    TokenPair,
)
from accounts.models import AuditLog, EmailDelivery, LoginFailure, User
from accounts.selectors import login_lockout_retry_after, user_by_email
from accounts.services.audit import audit_record
from accounts.services.emails import email_queue, requested_email_queue
from accounts.services.tokens import session_start


def email_canonical_or_400(address: str) -> str:
    """``accounts.addresses.email_canonical``, refusing with the API's 400.

    A non-ASCII local part gets its own code, ``email_not_ascii``; any other bad
    address is a ``validation_error`` on ``email``.
    """
    try:
        return email_canonical(address)
    except EmailAddressError as exc:
        message = exc.messages[0]
        if exc.code == NOT_ASCII:
            raise EmailNotAsciiError(message) from None
        raise EmailInvalidError([message]) from None


@transaction.atomic
def user_register(
    *,
    email: str,
    password: str,
    display_name: str,
    timezone_name: str,
    locale: str,
    context: RequestContext = EMPTY_CONTEXT,
) -> None:
    """Create an unverified account, or tell the owner of a taken address.

    Returns nothing, so that the caller answers the same for a new and a taken
    address (no account enumeration); the new account logs in once its address
    is verified (see ``login_attempt``), so signing up and then logging in
    reveals nothing either. Both paths hash the password.
    Side effects (after commit): the welcome and verification emails to a new
    account; a "someone tried to sign up with your address" notice to the owner
    of a taken one (limited like other requested emails).
    """
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email=email,
                password=password,
                display_name=display_name,
                timezone=timezone_name,
                locale=locale,
            )
    except IntegrityError:
        owner = user_by_email(email=email)
        audit_record(
            action=AuditLog.Action.REGISTER,
            actor=owner,
            outcome=AuditLog.Outcome.FAILURE,
            context=context,
            metadata={"reason": "email_taken"},
        )
        if owner is not None and owner.is_active:
            requested_email_queue(user=owner, kind=EmailDelivery.Kind.SIGNUP_ATTEMPT)
        return
    audit_record(
        action=AuditLog.Action.REGISTER, actor=user, target=user, context=context
    )
    email_queue(user=user, kind=EmailDelivery.Kind.WELCOME)
    email_queue(user=user, kind=EmailDelivery.Kind.VERIFY_EMAIL)


# Used to spend the same hashing time on an unknown email as on a known one.
_DUMMY_PASSWORD_HASH: list[str] = []


def _dummy_check(password: str) -> None:
    if not _DUMMY_PASSWORD_HASH:
        _DUMMY_PASSWORD_HASH.append(make_password("kaya-timing-equaliser"))
    User(password=_DUMMY_PASSWORD_HASH[0]).check_password(password)


def login_attempt(
    *,
    email: str,
    password: str,
    context: RequestContext = EMPTY_CONTEXT,
    channel: str = "api",
) -> User:
    """Check credentials under the per-account lockout; return the user.

    The address is taken in its canonical form (``accounts.addresses``), which
    is also the lockout key, so every spelling of one address shares one
    failure budget; an address with no canonical form is a 400 before any
    password is checked. The lockout is read before the password, so once
    locked even the right password is refused (LoginLockedError, 429 with
    Retry-After). Failures are counted in the database (the lockout holds with
    Redis down) and committed before this function raises.
    Used by the API login (``channel="api"``, verified addresses only) and by the
    admin's authentication backend.
    """
    email = email_canonical_or_400(email)
    retry_after: int | None = None
    unverified = False
    with transaction.atomic():
        # Parallel attempts on one account queue on its row, so each one reads
        # the failures the previous ones committed: exactly
        # ACCOUNTS_LOGIN_MAX_FAILURES passwords are checked, never a few more.
        # (An unknown address has no row to lock; no real password is checked.)
        # NO KEY UPDATE: rows that merely reference the user (audit, journal...)
        # can still be inserted meanwhile; only logins and writers wait.
        user = User.objects.select_for_update(no_key=True).filter(email=email).first()
        retry_after = login_lockout_retry_after(email=email, ip=context.ip)
        if retry_after is not None:
            audit_record(
                action=AuditLog.Action.LOGIN_LOCKOUT,
                actor=user,
                outcome=AuditLog.Outcome.FAILURE,
                context=context,
                metadata={"channel": channel},
            )
            valid = False
        else:
            if user is None:
                _dummy_check(password)
                valid = False
            else:
                valid = user.check_password(password) and user.is_active
            # The API logs in verified addresses only, with the same 401 as a
            # wrong password: else signing up with an address and logging in
            # would tell whether it already had an account.
            unverified = (
                valid
                and channel == "api"
                and user is not None
                and not user.email_verified_at
            )
            metadata = {"channel": channel}
            if unverified:
                metadata["reason"] = "email_not_verified"
            elif user is not None and valid:
                # Not registered with user_row_changed: a login must work
                # while Redis is down, and a worker may serve its remembered
                # row with the previous last_login (nothing reads it from
                # request.user; the export reads the row again).
                User.objects.filter(pk=user.pk).update(last_login=timezone.now())
            else:
                LoginFailure.objects.create(email=email, ip=context.ip)
            audit_record(
                action=AuditLog.Action.LOGIN,
                actor=user,
                target=user if valid and not unverified else None,
                outcome=(
                    AuditLog.Outcome.SUCCESS
                    if valid and not unverified
                    else AuditLog.Outcome.FAILURE
                ),
                context=context,
                metadata=metadata,
            )
        if unverified:
            # The right password earns a fresh verification link (limited), so
            # the owner is not stuck.
            assert user is not None
            requested_email_queue(user=user, kind=EmailDelivery.Kind.VERIFY_EMAIL)
    # Raised after the block, so the failure recorded above is committed.
    if retry_after is not None:
        raise LoginLockedError(retry_after)
    if not valid or unverified:
        raise InvalidCredentialsError
    assert user is not None
    return user


def user_login(
    *, email: str, password: str, context: RequestContext = EMPTY_CONTEXT
) -> tuple[User, TokenPair]:
    """Log in through the API: the user and a new token family."""
    user = login_attempt(email=email, password=password, context=context)
    with transaction.atomic():
        pair = session_start(user=user)
    return user, pair


def login_failures_purge() -> int:
    """Delete failures older than the lockout window (beat, hourly)."""
    cutoff = timezone.now() - timedelta(seconds=settings.ACCOUNTS_LOGIN_LOCKOUT_SECONDS)
    deleted, _ = LoginFailure.objects.filter(created_at__lt=cutoff).delete()
    return deleted
