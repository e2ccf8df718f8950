"""Password reset (by email link) and change."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction

from accounts import email_tokens
from accounts.context import EMPTY_CONTEXT, RequestContext
from accounts.exceptions import (
    CurrentPasswordIncorrectError,
    EmailLinkError,
    PasswordInvalidError,
)
from accounts.jwt import (
    TokenPair,
)
from accounts.models import AuditLog, EmailDelivery, User
from accounts.selectors import user_by_email
from accounts.services.audit import audit_record
from accounts.services.emails import email_queue, requested_email_queue
from accounts.services.tokens import session_start, sessions_revoke_all


@transaction.atomic
def password_reset_request(
    *, email: str, context: RequestContext = EMPTY_CONTEXT
) -> None:
    """Queue a reset link if an active account has this email; else do nothing.

    At most ``ACCOUNTS_REQUESTED_EMAILS_PER_ACCOUNT`` links per account and window,
    whatever addresses the requests come from (see ``requested_email_queue``).
    The caller answers the same either way (no account enumeration, and no hint
    that the limit was reached).
    """
    user = user_by_email(email=email)
    limited = False
    if user is not None and user.is_active:
        limited = not requested_email_queue(
            user=user, kind=EmailDelivery.Kind.PASSWORD_RESET
        )
    sent = user is not None and not limited
    audit_record(
        action=AuditLog.Action.PASSWORD_RESET_REQUEST,
        actor=user,
        outcome=AuditLog.Outcome.SUCCESS if sent else AuditLog.Outcome.FAILURE,
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
        raise PasswordInvalidError(list(exc.messages)) from None
    _password_set(
        user=user, password=password, reason="password_reset", context=context
    )
    audit_record(
        action=AuditLog.Action.PASSWORD_RESET, actor=user, target=user, context=context
    )
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
            action=AuditLog.Action.PASSWORD_CHANGE,
            actor=user,
            target=user,
            outcome=AuditLog.Outcome.FAILURE,
            context=context,
        )
        raise CurrentPasswordIncorrectError
    with transaction.atomic():
        _password_set(
            user=user, password=new_password, reason="password_change", context=context
        )
        audit_record(
            action=AuditLog.Action.PASSWORD_CHANGE,
            actor=user,
            target=user,
            context=context,
        )
        return session_start(user=user)
