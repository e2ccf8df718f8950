"""Celery tasks of the accounts app: thin, idempotent, keyword-only ids."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.conf import settings

from accounts import services


@shared_task(bind=True, acks_late=True, max_retries=None)
def account_email_send(self: Any, *, delivery_id: int) -> None:
    """Send one account email; retry with exponential backoff on failure.

    At most once: ``email_delivery_send`` skips a delivery already sent.
    """
    try:
        services.email_delivery_send(delivery_id=delivery_id)
    except Exception as exc:
        if self.request.retries >= settings.ACCOUNTS_EMAIL_MAX_ATTEMPTS - 1:
            raise
        # Kept well under the broker's visibility timeout (1 h), past which a
        # delayed task would be delivered twice.
        countdown = min(30 * 2**self.request.retries, 1800)
        raise self.retry(exc=exc, countdown=countdown) from exc


@shared_task
def accounts_login_failures_purge() -> int:
    return services.login_failures_purge()


@shared_task
def accounts_email_sweep() -> int:
    return services.email_outbox_sweep()


@shared_task
def accounts_tokens_purge() -> int:
    return services.tokens_purge()
