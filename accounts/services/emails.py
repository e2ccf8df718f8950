"""Account emails: an ``EmailDelivery`` record each, sent through the one outbox."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from accounts import email_tokens
from accounts.models import EmailDelivery, User
from kaya import outbox

# The outbox kind of account emails; object_id is the EmailDelivery id.
EMAIL_KIND = "accounts.email"


def email_queue(*, user: User, kind: str, to_email: str = "") -> EmailDelivery:
    """Record an account email and put it in the one outbox (``kaya.outbox``),
    in the caller's transaction; it is sent after commit, at least once."""
    delivery = EmailDelivery.objects.create(
        user=user, kind=kind, to_email=to_email or user.email
    )
    outbox.email_enqueue(
        kind=EMAIL_KIND, object_id=delivery.pk, key=f"{EMAIL_KIND}:{delivery.pk}"
    )
    return delivery


def requested_email_queue(*, user: User, kind: str) -> bool:
    """Queue an email that anyone can ask us to send to this account (a reset
    link, a sign-up attempt notice, a verification link after a login attempt),
    unless the account already got ``ACCOUNTS_REQUESTED_EMAILS_PER_ACCOUNT`` of
    that kind within ``ACCOUNTS_REQUESTED_EMAILS_WINDOW_SECONDS``, so that no
    number of client addresses can flood an inbox. Counted in the delivery rows,
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


def email_delivery_build(delivery_id: int) -> outbox.OutboxMessage | None:
    """The message of one account email, built when the outbox sends it (see
    ``kaya.outbox``): links and tokens are made then, never stored. None
    (skipped) if the delivery is gone (the account was erased)."""
    delivery = (
        EmailDelivery.objects.select_related("user").filter(pk=delivery_id).first()
    )
    if delivery is None:
        return None
    return outbox.OutboxMessage(
        to=delivery.to_email,
        template=f"accounts/{delivery.kind}",
        context=_email_context(delivery),
        locale=delivery.user.locale,
    )
