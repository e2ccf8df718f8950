"""Email verification, and the change of address that waits for it."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import email_tokens
from accounts.context import EMPTY_CONTEXT, RequestContext
from accounts.exceptions import (
    AlreadyVerifiedError,
    CurrentPasswordIncorrectError,
    EmailInUseError,
    EmailLinkError,
    EmailTakenError,
)
from accounts.models import AuditLog, EmailDelivery, User
from accounts.services.audit import audit_record
from accounts.services.auth import email_canonical_or_400
from accounts.services.emails import email_queue


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
        # `address` is the canonical pending_email, so an exact match suffices.
        if User.objects.filter(email=address).exclude(pk=user.pk).exists():
            raise EmailTakenError
        user.email = address
        user.pending_email = ""
        user.email_verified_at = now
        try:
            with transaction.atomic():
                user.save(update_fields=["email", "pending_email", "email_verified_at"])
        except IntegrityError:
            # Another account took the address after the check above.
            raise EmailTakenError from None
        audit_record(
            action=AuditLog.Action.EMAIL_CHANGE,
            actor=user,
            target=user,
            context=context,
        )
    elif address == user.email and user.email_verified_at is None:
        user.email_verified_at = now
        user.save(update_fields=["email_verified_at"])
        audit_record(
            action=AuditLog.Action.EMAIL_VERIFY,
            actor=user,
            target=user,
            context=context,
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
        raise AlreadyVerifiedError
    email_queue(user=user, kind=EmailDelivery.Kind.VERIFY_EMAIL)


def email_change_request(
    *, user: User, new_email: str, current_password: str, context: RequestContext
) -> None:
    new_email = email_canonical_or_400(new_email)
    if new_email == user.email:
        return
    if not current_password or not user.check_password(current_password):
        raise CurrentPasswordIncorrectError
    if User.objects.filter(email=new_email).exclude(pk=user.pk).exists():
        raise EmailInUseError
    user.pending_email = new_email
    user.save(update_fields=["pending_email", "updated_at"])
    audit_record(
        action=AuditLog.Action.EMAIL_CHANGE_REQUEST,
        actor=user,
        target=user,
        context=context,
    )
    email_queue(user=user, kind=EmailDelivery.Kind.VERIFY_EMAIL, to_email=new_email)
    email_queue(user=user, kind=EmailDelivery.Kind.EMAIL_CHANGED, to_email=user.email)
