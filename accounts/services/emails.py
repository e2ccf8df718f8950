"""Account emails: outbox rows, sent by ``accounts.tasks`` after commit."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts import email_tokens
from accounts.models import EmailDelivery, User
from kaya.mail import send_templated_email

logger = logging.getLogger(__name__)


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


def requested_email_queue(*, user: User, kind: str) -> bool:
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
