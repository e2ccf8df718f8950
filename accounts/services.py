"""Account workflows: sign-up, sessions, email flows, profile, privacy, audit.

Services are keyword-only and typed; side effects (emails, the
``user_sessions_revoked`` event) run after commit.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Model
from django.db.models.functions import Coalesce
from django.utils import timezone
from rest_framework import status
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.token_blacklist.models import (
    BlacklistedToken,
    OutstandingToken,
)

from accounts import email_tokens, events
from accounts.addresses import NOT_ASCII, EmailAddressError, email_canonical
from accounts.context import EMPTY_CONTEXT, RequestContext
from accounts.jwt import (
    EPOCH_CLAIM,
    FAMILY_CLAIM,
    FamilyRefreshToken,
    TokenPair,
    refresh_token_new,
    refresh_token_outstand,
    token_pair_from,
)
from accounts.models import AuditLog, EmailDelivery, LoginFailure, TokenFamily, User
from accounts.registry import privacy
from accounts.selectors import login_lockout_retry_after, user_by_email
from kaya.exceptions import ApplicationError, ConflictError
from kaya.mail import send_templated_email

logger = logging.getLogger(__name__)

Action = AuditLog.Action
Outcome = AuditLog.Outcome


# ---------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------
class InvalidCredentialsError(ApplicationError):
    # One status and one body for an unknown email, a wrong password and an
    # inactive account, so the response does not reveal which accounts exist.
    status_code = status.HTTP_401_UNAUTHORIZED
    code = "invalid_credentials"
    message = (
        "The email or password is not correct, or the email address is not "
        "verified yet (check your inbox for the link)."
    )


class LoginLockedError(ApplicationError):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    code = "login_locked"
    message = "Too many failed login attempts. Try again later."

    def __init__(self, retry_after: int) -> None:
        super().__init__(headers={"Retry-After": str(retry_after)})
        self.retry_after = retry_after


class RefreshRejectedError(ApplicationError):
    status_code = status.HTTP_401_UNAUTHORIZED
    code = "token_not_valid"
    message = "The refresh token is not valid."


class EmailLinkError(ApplicationError):
    code = "invalid_token"
    message = "This link is invalid, expired or already used."


def _field_error(field: str, message: str | list[str]) -> ApplicationError:
    return ApplicationError(
        "The request is not valid; see fields.",
        code="validation_error",
        fields={field: message if isinstance(message, list) else [message]},
    )


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
            raise ApplicationError(
                message, code="email_not_ascii", fields={"email": [message]}
            ) from None
        raise _field_error("email", message) from None


# ---------------------------------------------------------------------------
# Audit
# ---------------------------------------------------------------------------
def audit_record(
    *,
    action: str,
    actor: Any = None,
    target: Model | None = None,
    target_type: str = "",
    target_id: str | int = "",
    outcome: str = Outcome.SUCCESS,
    context: RequestContext | None = None,
    metadata: dict[str, Any] | None = None,
) -> AuditLog:
    """Append one audit row. Callable by any app; never pass secrets or content.

    ``metadata`` holds small facts such as changed field names or a reason code.
    """
    context = context or EMPTY_CONTEXT
    if target is not None:
        target_type = target._meta.label_lower
        target_id = target.pk
    return AuditLog.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        outcome=outcome,
        ip=context.ip,
        user_agent=context.user_agent,
        request_id=context.request_id,
        metadata=metadata or {},
    )


# ---------------------------------------------------------------------------
# Emails (outbox rows, sent by accounts.tasks after commit)
# ---------------------------------------------------------------------------
def _email_enqueue(delivery_id: int) -> None:
    from accounts.tasks import account_email_send

    try:
        account_email_send.apply_async(kwargs={"delivery_id": delivery_id})
    except Exception:
        # A broker outage must not fail the request; the outbox sweep
        # (accounts_email_sweep in the beat schedule) sends it later.
        logger.warning("could not enqueue account email %s", delivery_id, exc_info=True)


def email_queue(*, user: User, kind: str, to_email: str = "") -> EmailDelivery:
    delivery = EmailDelivery.objects.create(
        user=user, kind=kind, to_email=to_email or user.email
    )
    transaction.on_commit(lambda: _email_enqueue(delivery.pk))
    return delivery


def _requested_email_queue(*, user: User, kind: str) -> bool:
    """Queue an email that anyone can ask us to send to this account (a reset
    link, a sign-up attempt notice, a verification link after a login attempt),
    unless the account already got ``ACCOUNTS_REQUESTED_EMAILS_PER_ACCOUNT`` of
    that kind within ``ACCOUNTS_REQUESTED_EMAILS_WINDOW_SECONDS``, so that no
    number of client addresses can flood an inbox. Counted in the outbox rows,
    so it holds with Redis down. Returns whether the email was queued.
    """
    # Parallel requests for one account count one at a time (row lock).
    User.objects.select_for_update().filter(pk=user.pk).exists()
    since = timezone.now() - timedelta(
        seconds=settings.ACCOUNTS_REQUESTED_EMAILS_WINDOW_SECONDS
    )
    recent = EmailDelivery.objects.filter(
        user=user, kind=kind, created_at__gt=since
    ).count()
    if recent >= settings.ACCOUNTS_REQUESTED_EMAILS_PER_ACCOUNT:
        return False
    email_queue(user=user, kind=kind)
    return True


def _mask_email(address: str) -> str:
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"


def _email_context(delivery: EmailDelivery) -> dict[str, Any]:
    user = delivery.user
    context: dict[str, Any] = {
        "display_name": user.display_name,
        "LANGUAGE_CODE": user.locale,
    }
    if delivery.kind == EmailDelivery.Kind.VERIFY_EMAIL:
        token = email_tokens.email_token_make(
            user=user, purpose=email_tokens.VERIFY_EMAIL, email=delivery.to_email
        )
        context["link"] = f"{settings.FRONTEND_URL}/verify-email/{token}"
        context["hours"] = settings.ACCOUNTS_EMAIL_VERIFY_MAX_AGE // 3600
    elif delivery.kind == EmailDelivery.Kind.PASSWORD_RESET:
        token = email_tokens.email_token_make(
            user=user, purpose=email_tokens.PASSWORD_RESET
        )
        context["link"] = f"{settings.FRONTEND_URL}/reset-password/{token}"
        context["minutes"] = settings.PASSWORD_RESET_TIMEOUT // 60
    elif delivery.kind == EmailDelivery.Kind.EMAIL_CHANGED:
        context["new_email"] = _mask_email(user.pending_email or user.email)
    elif delivery.kind == EmailDelivery.Kind.SIGNUP_ATTEMPT:
        context["link"] = f"{settings.FRONTEND_URL}/login"
    return context


def email_delivery_send(*, delivery_id: int) -> bool:
    """Send one queued account email unless it was already sent.

    Idempotent: the row is locked while sending and marked sent in the same
    transaction, so a redelivered task sends nothing. Raises on provider failure
    (the task retries). Returns whether an email went out.
    """
    EmailDelivery.objects.filter(pk=delivery_id, sent_at__isnull=True).update(
        attempts=F("attempts") + 1
    )
    with transaction.atomic():
        delivery = (
            EmailDelivery.objects.select_for_update()
            .select_related("user")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.sent_at is not None:
            return False
        send_templated_email(
            to=delivery.to_email,
            name=f"accounts/{delivery.kind}",
            context=_email_context(delivery),
            locale=delivery.user.locale,
        )
        delivery.sent_at = timezone.now()
        delivery.save(update_fields=["sent_at"])
    return True


# ---------------------------------------------------------------------------
# Tokens and sessions
# ---------------------------------------------------------------------------
def _session_start(*, user: User) -> TokenPair:
    token = refresh_token_new(user=user)
    family = TokenFamily.objects.create(
        user=user, current_jti=token[api_settings.JTI_CLAIM]
    )
    refresh_token_outstand(user=user, token=token)
    return token_pair_from(token, family.pk)


def _blacklist_jtis(jtis: list[str]) -> None:
    outstanding = OutstandingToken.objects.filter(
        jti__in=jtis, blacklistedtoken__isnull=True
    )
    BlacklistedToken.objects.bulk_create(
        [BlacklistedToken(token=token) for token in outstanding],
        ignore_conflicts=True,
    )


def _families_revoke(families: list[TokenFamily], reason: str) -> None:
    now = timezone.now()
    _blacklist_jtis([family.current_jti for family in families])
    TokenFamily.objects.filter(pk__in=[f.pk for f in families]).update(
        revoked_at=now, revoked_reason=reason
    )


def token_refresh(
    *, raw_refresh: str, context: RequestContext = EMPTY_CONTEXT
) -> TokenPair:
    """Rotate a refresh token: a new pair; the old refresh is blacklisted.

    Presenting a refresh token that was already rotated revokes its whole family
    (every token descended from the same login) and is refused. The family row is
    locked, so two parallel refreshes of one token cannot both succeed: the second
    waits, then finds the token rotated (and, being a replay, ends the family).
    """
    try:
        token = FamilyRefreshToken(raw_refresh)  # type: ignore[arg-type]
    except TokenError:
        raise RefreshRejectedError from None
    with transaction.atomic():
        family = (
            TokenFamily.objects.select_for_update()
            .select_related("user")
            .filter(pk=token.get(FAMILY_CLAIM))
            .first()
        )
        if (
            family is None
            or str(family.user_id) != str(token.get(api_settings.USER_ID_CLAIM))
            or family.revoked_at is not None
        ):
            raise RefreshRejectedError
        user = family.user
        if token[api_settings.JTI_CLAIM] == family.current_jti:
            if not user.is_active or token.get(EPOCH_CLAIM) != user.token_epoch:
                raise RefreshRejectedError
            new = refresh_token_new(user=user)
            refresh_token_outstand(user=user, token=new)
            _blacklist_jtis([family.current_jti])
            family.current_jti = new[api_settings.JTI_CLAIM]
            family.last_rotated_at = timezone.now()
            family.save(update_fields=["current_jti", "last_rotated_at"])
            return token_pair_from(new, family.pk)
        # Reuse of a rotated token: it leaked (or a client raced itself).
        _families_revoke([family], "reuse")
        audit_record(
            action=Action.TOKEN_FAMILY_REVOKED,
            actor=user,
            target=family,
            outcome=Outcome.FAILURE,
            context=context,
            metadata={"reason": "reuse"},
        )
    # Raised after the block so that the revocation above is committed.
    raise RefreshRejectedError


@transaction.atomic
def sessions_revoke_all(
    *, user: User, reason: str, context: RequestContext = EMPTY_CONTEXT
) -> None:
    """Revoke every refresh token of the user and fail every access token.

    Side effects (after commit): ``accounts.events.user_sessions_revoked``
    (the notifications app closes the user's websockets).
    """
    User.objects.filter(pk=user.pk).update(token_epoch=F("token_epoch") + 1)
    user.refresh_from_db(fields=["token_epoch"])
    families = list(TokenFamily.objects.filter(user=user, revoked_at__isnull=True))
    _families_revoke(families, reason)
    _blacklist_jtis(
        list(OutstandingToken.objects.filter(user=user).values_list("jti", flat=True))
    )
    user_id = user.pk
    transaction.on_commit(
        lambda: events.user_sessions_revoked.send(
            sender=User, user_id=user_id, reason=reason
        )
    )


@transaction.atomic
def session_logout(
    *, user: User, raw_refresh: str, context: RequestContext = EMPTY_CONTEXT
) -> None:
    """Blacklist the given refresh token (and end its family) for this user."""
    try:
        token = FamilyRefreshToken(raw_refresh)  # type: ignore[arg-type]
    except TokenError:
        raise _field_error("refresh", "This refresh token is not valid.") from None
    if str(token.get(api_settings.USER_ID_CLAIM)) != str(user.pk):
        raise _field_error("refresh", "This refresh token is not valid.")
    _blacklist_jtis([token[api_settings.JTI_CLAIM]])
    families = list(
        TokenFamily.objects.filter(
            pk=token.get(FAMILY_CLAIM), user=user, revoked_at__isnull=True
        )
    )
    _families_revoke(families, "logout")
    audit_record(action=Action.LOGOUT, actor=user, target=user, context=context)


@transaction.atomic
def session_logout_all(*, user: User, context: RequestContext = EMPTY_CONTEXT) -> None:
    """Log out everywhere: every refresh and access token of the user fails.

    Side effects: see ``sessions_revoke_all``.
    """
    sessions_revoke_all(user=user, reason="logout_all", context=context)
    audit_record(action=Action.LOGOUT_ALL, actor=user, target=user, context=context)


# ---------------------------------------------------------------------------
# Sign-up and login
# ---------------------------------------------------------------------------
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
            action=Action.REGISTER,
            actor=owner,
            outcome=Outcome.FAILURE,
            context=context,
            metadata={"reason": "email_taken"},
        )
        if owner is not None and owner.is_active:
            _requested_email_queue(user=owner, kind=EmailDelivery.Kind.SIGNUP_ATTEMPT)
        return
    audit_record(action=Action.REGISTER, actor=user, target=user, context=context)
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
                action=Action.LOGIN_LOCKOUT,
                actor=user,
                outcome=Outcome.FAILURE,
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
                User.objects.filter(pk=user.pk).update(last_login=timezone.now())
            else:
                LoginFailure.objects.create(email=email, ip=context.ip)
            audit_record(
                action=Action.LOGIN,
                actor=user,
                target=user if valid and not unverified else None,
                outcome=(
                    Outcome.SUCCESS if valid and not unverified else Outcome.FAILURE
                ),
                context=context,
                metadata=metadata,
            )
        if unverified:
            # The right password earns a fresh verification link (limited), so
            # the owner is not stuck.
            assert user is not None
            _requested_email_queue(user=user, kind=EmailDelivery.Kind.VERIFY_EMAIL)
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
        pair = _session_start(user=user)
    return user, pair


def login_failures_purge() -> int:
    """Delete failures older than the lockout window (beat, hourly)."""
    cutoff = timezone.now() - timedelta(seconds=settings.ACCOUNTS_LOGIN_LOCKOUT_SECONDS)
    deleted, _ = LoginFailure.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def tokens_purge() -> int:
    """Delete expired refresh-token records and finished token families (beat)."""
    now = timezone.now()
    lifetime = api_settings.REFRESH_TOKEN_LIFETIME
    deleted, _ = OutstandingToken.objects.filter(expires_at__lt=now).delete()
    families, _ = (
        TokenFamily.objects.annotate(last=Coalesce("last_rotated_at", "created_at"))
        .filter(last__lt=now - lifetime)
        .delete()
    )
    return deleted + families


def email_outbox_sweep() -> int:
    """Re-enqueue account emails whose task never ran (e.g. broker outage)."""
    now = timezone.now()
    pending = EmailDelivery.objects.filter(
        sent_at__isnull=True,
        created_at__lt=now - timedelta(minutes=10),
        created_at__gt=now - timedelta(days=1),
        attempts__lt=settings.ACCOUNTS_EMAIL_MAX_ATTEMPTS,
    ).values_list("pk", flat=True)
    count = 0
    for delivery_id in pending:
        _email_enqueue(delivery_id)
        count += 1
    return count


# ---------------------------------------------------------------------------
# Email verification and password flows
# ---------------------------------------------------------------------------
@transaction.atomic
def email_verify(*, token: str, context: RequestContext = EMPTY_CONTEXT) -> User:
    """Mark the address in a verification link verified (single use, 24 h).

    A link for a pending new address makes it the login email. Opening a link
    again (a double click, a mail scanner) once its address is the account's
    verified email answers success and changes nothing.
    """
    try:
        user, address = email_tokens.email_token_read(
            token=token, purpose=email_tokens.VERIFY_EMAIL
        )
    except email_tokens.SpentEmailTokenError as spent:
        if _email_already_verified(spent.user, spent.address):
            return spent.user
        raise EmailLinkError from None
    except email_tokens.EmailTokenError:
        raise EmailLinkError from None
    user = User.objects.select_for_update().get(pk=user.pk)
    now = timezone.now()
    if user.pending_email and address == user.pending_email:
        taken = ConflictError(
            "This email address is already in use.", code="email_taken"
        )
        # `address` is the canonical pending_email, so an exact match suffices.
        if User.objects.filter(email=address).exclude(pk=user.pk).exists():
            raise taken
        user.email = address
        user.pending_email = ""
        user.email_verified_at = now
        try:
            with transaction.atomic():
                user.save(update_fields=["email", "pending_email", "email_verified_at"])
        except IntegrityError:
            # Another account took the address after the check above.
            raise taken from None
        audit_record(
            action=Action.EMAIL_CHANGE, actor=user, target=user, context=context
        )
    elif address == user.email and user.email_verified_at is None:
        user.email_verified_at = now
        user.save(update_fields=["email_verified_at"])
        audit_record(
            action=Action.EMAIL_VERIFY, actor=user, target=user, context=context
        )
    elif not _email_already_verified(user, address):
        raise EmailLinkError
    return user


def _email_already_verified(user: User, address: str) -> bool:
    return (
        bool(address) and address == user.email and user.email_verified_at is not None
    )


@transaction.atomic
def verification_resend(*, user: User, context: RequestContext = EMPTY_CONTEXT) -> None:
    """Queue a new verification email (to the pending address if there is one)."""
    if user.pending_email:
        email_queue(
            user=user, kind=EmailDelivery.Kind.VERIFY_EMAIL, to_email=user.pending_email
        )
        return
    if user.email_verified_at is not None:
        raise ConflictError(
            "The email address is already verified.", code="already_verified"
        )
    email_queue(user=user, kind=EmailDelivery.Kind.VERIFY_EMAIL)


@transaction.atomic
def password_reset_request(
    *, email: str, context: RequestContext = EMPTY_CONTEXT
) -> None:
    """Queue a reset link if an active account has this email; else do nothing.

    At most ``ACCOUNTS_REQUESTED_EMAILS_PER_ACCOUNT`` links per account and window,
    whatever addresses the requests come from (see ``_requested_email_queue``).
    The caller answers the same either way (no account enumeration, and no hint
    that the limit was reached).
    """
    user = user_by_email(email=email)
    limited = False
    if user is not None and user.is_active:
        limited = not _requested_email_queue(
            user=user, kind=EmailDelivery.Kind.PASSWORD_RESET
        )
    sent = user is not None and not limited
    audit_record(
        action=Action.PASSWORD_RESET_REQUEST,
        actor=user,
        outcome=Outcome.SUCCESS if sent else Outcome.FAILURE,
        context=context,
        metadata={"reason": "per_account_limit"} if limited else None,
    )


def _password_set(
    *, user: User, password: str, reason: str, context: RequestContext
) -> None:
    user.set_password(password)
    user.save(update_fields=["password"])
    sessions_revoke_all(user=user, reason=reason, context=context)
    email_queue(user=user, kind=EmailDelivery.Kind.PASSWORD_CHANGED)


@transaction.atomic
def password_reset(
    *, token: str, password: str, context: RequestContext = EMPTY_CONTEXT
) -> User:
    """Set a new password from a reset link (single use, 1 h).

    Side effects: every session revoked (``user_sessions_revoked`` after commit)
    and a "password changed" email.
    """
    try:
        user, _ = email_tokens.email_token_read(
            token=token, purpose=email_tokens.PASSWORD_RESET
        )
    except email_tokens.EmailTokenError:
        raise EmailLinkError from None
    if not user.is_active:
        raise EmailLinkError
    try:
        validate_password(password, user=user)
    except DjangoValidationError as exc:
        raise _field_error("password", list(exc.messages)) from None
    _password_set(
        user=user, password=password, reason="password_reset", context=context
    )
    audit_record(action=Action.PASSWORD_RESET, actor=user, target=user, context=context)
    return user


def password_change(
    *,
    user: User,
    current_password: str,
    new_password: str,
    context: RequestContext = EMPTY_CONTEXT,
) -> TokenPair:
    """Change the password; every other session ends, this one gets new tokens.

    Side effects: ``user_sessions_revoked`` after commit, a "password changed"
    email.
    """
    if not user.check_password(current_password):
        # Recorded outside a transaction: the refusal below must not undo it.
        audit_record(
            action=Action.PASSWORD_CHANGE,
            actor=user,
            target=user,
            outcome=Outcome.FAILURE,
            context=context,
        )
        raise _field_error("current_password", "The current password is not correct.")
    with transaction.atomic():
        _password_set(
            user=user, password=new_password, reason="password_change", context=context
        )
        audit_record(
            action=Action.PASSWORD_CHANGE, actor=user, target=user, context=context
        )
        return _session_start(user=user)


# ---------------------------------------------------------------------------
# Profile
# ---------------------------------------------------------------------------


@transaction.atomic
def user_update(
    *,
    user: User,
    data: dict[str, Any],
    new_email: str | None = None,
    current_password: str = "",
    context: RequestContext = EMPTY_CONTEXT,
) -> User:
    """Update profile and preferences; an email change waits for verification.

    Only ``User.PROFILE_FIELDS`` are written (anything else in ``data`` is
    ignored).
    Side effects (after commit) of an email change: a verification email to the
    new address and a notice to the old one.
    """
    changed = [
        f for f in User.PROFILE_FIELDS if f in data and getattr(user, f) != data[f]
    ]
    for name in changed:
        setattr(user, name, data[name])
    if changed:
        user.save(update_fields=[*changed, "updated_at"])
        audit_record(
            action=Action.PROFILE_UPDATE,
            actor=user,
            target=user,
            context=context,
            metadata={"fields": changed},
        )
    if new_email is not None:
        _email_change_request(
            user=user,
            new_email=new_email,
            current_password=current_password,
            context=context,
        )
    return user


def _email_change_request(
    *, user: User, new_email: str, current_password: str, context: RequestContext
) -> None:
    new_email = email_canonical_or_400(new_email)
    if new_email == user.email:
        return
    if not current_password or not user.check_password(current_password):
        raise _field_error("current_password", "The current password is not correct.")
    if User.objects.filter(email=new_email).exclude(pk=user.pk).exists():
        raise _field_error("email", "This email address is already in use.")
    user.pending_email = new_email
    user.save(update_fields=["pending_email", "updated_at"])
    audit_record(
        action=Action.EMAIL_CHANGE_REQUEST, actor=user, target=user, context=context
    )
    email_queue(user=user, kind=EmailDelivery.Kind.VERIFY_EMAIL, to_email=new_email)
    email_queue(user=user, kind=EmailDelivery.Kind.EMAIL_CHANGED, to_email=user.email)


# ---------------------------------------------------------------------------
# Privacy: export, deletion; staff deactivation
# ---------------------------------------------------------------------------
def user_export(
    *, user: User, context: RequestContext = EMPTY_CONTEXT
) -> dict[str, Any]:
    """Every app's data about the user, as one JSON-serialisable document."""
    document = {
        "format": "kaya-export/1",
        "exported_at": timezone.now().isoformat(),
        "user_id": user.pk,
        "apps": {
            name: handler.export(user) for name, handler in privacy.handlers.items()
        },
    }
    audit_record(action=Action.DATA_EXPORT, actor=user, target=user, context=context)
    return document


@transaction.atomic
def user_delete(
    *, user: User, password: str, context: RequestContext = EMPTY_CONTEXT
) -> None:
    """The owner deletes the account (password required); see ``user_erase``."""
    if not user.check_password(password):
        raise _field_error("password", "The password is not correct.")
    user_erase(user=user, context=context)


@transaction.atomic
def user_erase(
    *, user: User, actor: Any = None, context: RequestContext = EMPTY_CONTEXT
) -> None:
    """Erase the account: every app's rows, then the user row itself.

    ``accounts.events.user_deleted`` is sent before erasure (inside the
    transaction); ``user_sessions_revoked`` after commit closes the websockets.
    Access tokens fail at once because the user no longer exists. ``actor`` is
    the staff member when the erasure is done from the admin.
    """
    user_id = user.pk
    events.user_deleted.send(sender=User, user_id=user_id)
    sessions_revoke_all(user=user, reason="account_deleted", context=context)
    # The accounts handler runs last: others may still read the user's rows.
    handlers = sorted(privacy.handlers.values(), key=lambda h: h.name == "accounts")
    for handler in handlers:
        handler.erase(user)
    user.delete()
    # Kept without the owner's IP or user agent: the trail records that the
    # account existed and was erased (see RETAINED in accounts.privacy).
    by_staff = actor is not None and actor.pk != user_id
    audit_record(
        action=Action.ACCOUNT_DELETE,
        actor=actor if by_staff else None,
        target_type="accounts.user",
        target_id=user_id,
        context=context if by_staff else RequestContext(request_id=context.request_id),
        metadata={"by": "staff" if by_staff else "owner"},
    )


@transaction.atomic
def user_deactivate(
    *, user: User, actor: Any = None, context: RequestContext = EMPTY_CONTEXT
) -> None:
    """Staff action: the account can no longer log in; its tokens are revoked."""
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active", "updated_at"])
    sessions_revoke_all(user=user, reason="deactivated", context=context)
    audit_record(
        action=Action.ACCOUNT_DEACTIVATE, actor=actor, target=user, context=context
    )
