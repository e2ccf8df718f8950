"""The one email outbox: every app's emails go out through here.

Guarantee: **at least once**, with a stable Message-ID per email.

1. Enqueue: a service calls ``email_enqueue`` inside its own transaction; the row
   (``kaya.models.OutboxEmail``) commits or rolls back with the change that calls
   for the email. On commit a task (``kaya.send_email``) is queued for it, off
   the request thread: a down broker delays the email, never the request.
2. Claim: the task takes the row in a short transaction of its own (``pending``
   and due -> ``sending``, ``claimed_at``, one more attempt) and commits, so no
   lock or connection is held while the provider is called.
3. Send, outside any transaction: the kind's builder (``register``) makes the
   message from current data (links, preferences), it is rendered, and sent with
   ``Message-ID: <outbox.<id>.<key hash>@<domain>>``.
4. Record: ``sent``; a provider error (``PROVIDER_ERRORS``) puts the row back to
   ``pending`` with an exponential backoff, up to ``EMAIL_OUTBOX_MAX_ATTEMPTS``,
   then ``failed``. Anything else (a template or code bug) marks it ``failed``
   with the error class and re-raises: it is a bug to fix, not an outage to
   retry.
5. Sweep (beat, ``kaya.sweep_email_outbox``): sends due ``pending`` rows (the
   task was lost with the broker, quiet hours ended, a retry is due) and re-sends
   rows stuck in ``sending`` for ``EMAIL_OUTBOX_CLAIM_TIMEOUT_SECONDS`` (the
   worker died mid-send, or recording the result failed after the send).

So a crash between the provider accepting a message and the ``sent`` commit
sends it again, but not before the claim window has passed, and with the same
Message-ID, so the duplicate is recognisable (and dropped by most providers and
clients). Nothing is ever sent twice within the window.
"""

from __future__ import annotations

import hashlib
import logging
import smtplib
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from kaya.mail import render_email
from kaya.models import OutboxEmail

logger = logging.getLogger(__name__)

# What an unreachable or refusing provider raises: worth a retry. Nothing else is.
PROVIDER_ERRORS: tuple[type[BaseException], ...] = (smtplib.SMTPException, OSError)
try:
    from anymail.exceptions import AnymailAPIError, AnymailRequestsAPIError
except ImportError:  # pragma: no cover - anymail is a requirement
    pass
else:
    PROVIDER_ERRORS = (*PROVIDER_ERRORS, AnymailAPIError, AnymailRequestsAPIError)


@dataclass(frozen=True)
class OutboxMessage:
    """What a builder returns: one templated email (see ``kaya.mail``)."""

    to: str
    template: str
    context: dict[str, Any]
    locale: str = "en"
    headers: dict[str, str] = field(default_factory=dict)


# Returns None to skip the email (e.g. the user has turned email off since).
Builder = Callable[[int], OutboxMessage | None]
_builders: dict[str, Builder] = {}


def register(kind: str, builder: Builder) -> None:
    """Name the builder of an email kind; apps call this from ``ready()``."""
    _builders[kind] = builder


def backoff_seconds(attempts: int) -> int:
    """Delay before retry number ``attempts`` (1, 2, ...): 30 s doubling, at most
    30 minutes."""
    return int(min(30 * 2 ** max(attempts - 1, 0), 1800))


def message_id(email: OutboxEmail) -> str:
    digest = hashlib.sha256(email.idempotency_key.encode()).hexdigest()[:16]
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(" >") or "kaya"
    return f"<outbox.{email.pk}.{digest}@{domain}>"


def email_enqueue(
    *, kind: str, object_id: int, key: str, send_after: datetime | None = None
) -> OutboxEmail:
    """Add an email to the outbox in the caller's transaction (idempotent per
    ``key``: enqueuing a key again returns the existing row).

    Side effects (after commit): a ``kaya.send_email`` task, unless the email is
    held back (``send_after`` in the future); the sweep sends those when due.
    The task is published from a background thread, so a down broker never
    holds up the request (the row stays pending and the sweep sends it).
    """
    if kind not in _builders:
        raise ValueError(f"no outbox builder registered for {kind!r}")
    now = timezone.now()
    email, created = OutboxEmail.objects.get_or_create(
        idempotency_key=key,
        defaults={
            "kind": kind,
            "object_id": object_id,
            "send_after": send_after or now,
        },
    )
    if created and email.send_after <= now:
        transaction.on_commit(lambda: _task_enqueue(email.pk))
    return email


# Publishing a task runs off the request thread: with the broker down or frozen,
# kombu retries its connection for seconds, and a sign-up must not wait on that.
# One publisher thread per process, at most PUBLISH_BACKLOG emails waiting for it;
# beyond that (a long outage) the rows simply stay pending for the sweep.
PUBLISH_BACKLOG = 200
_publisher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="outbox-publish")
_publish_slots = threading.BoundedSemaphore(PUBLISH_BACKLOG)


def _task_enqueue(email_id: int) -> None:
    from kaya.tasks import send_email

    if send_email.app.conf.task_always_eager:
        # No broker (the embedded default): send in-process, as before.
        _task_publish(email_id)
        return
    if not _publish_slots.acquire(blocking=False):
        logger.warning("outbox publish backlog full; the sweep will send the email")
        return
    try:
        _publisher.submit(_task_publish, email_id, release=True)
    except RuntimeError:  # the interpreter is shutting down
        _publish_slots.release()


def _task_publish(email_id: int, *, release: bool = False) -> None:
    from kaya.tasks import send_email

    try:
        send_email.apply_async(kwargs={"email_id": email_id}, retry=False)
    except Exception:
        # The row stays pending; the sweep sends it.
        logger.warning("could not queue an outbox email", exc_info=True)
    finally:
        if release:
            _publish_slots.release()


def email_claim(*, email_id: int, now: datetime | None = None) -> OutboxEmail | None:
    """Take a due pending email for sending, in a transaction of its own that
    commits before the send. None if it is not due, or another worker has it."""
    now = now or timezone.now()
    with transaction.atomic():
        # The task and the sweep may race for the same row.
        email = (
            OutboxEmail.objects.select_for_update(
                skip_locked=connection.features.has_select_for_update_skip_locked
            )
            .filter(
                pk=email_id,
                status=OutboxEmail.Status.PENDING,
                send_after__lte=now,
            )
            .first()
        )
        if email is None:
            return None
        email.status = OutboxEmail.Status.SENDING
        email.claimed_at = now
        email.attempts = F("attempts") + 1
        email.save(update_fields=["status", "claimed_at", "attempts"])
    email.refresh_from_db(fields=["attempts"])
    return email


def _record(email: OutboxEmail, **changes: Any) -> None:
    # Only the claim we hold: a sweep may have re-claimed a stale one since.
    OutboxEmail.objects.filter(
        pk=email.pk, status=OutboxEmail.Status.SENDING, claimed_at=email.claimed_at
    ).update(**changes)


def email_send(*, email_id: int, now: datetime | None = None) -> bool:
    """Claim, build, render and send one outbox email; True if it went out.

    Call outside any transaction. Provider errors are recorded for a retry and
    not raised; any other error marks the email failed and is raised.
    """
    email = email_claim(email_id=email_id, now=now)
    if email is None:
        return False
    try:
        message = _builders[email.kind](email.object_id)
        if message is None:
            _record(email, status=OutboxEmail.Status.SKIPPED)
            return False
        rendered = render_email(message.template, message.context, message.locale)
        outgoing = EmailMultiAlternatives(
            subject=rendered["subject"],
            body=rendered["text"],
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.to],
            headers={**message.headers, "Message-ID": message_id(email)},
        )
        outgoing.attach_alternative(rendered["html"], "text/html")
    except Exception as exc:
        _record(email, status=OutboxEmail.Status.FAILED, last_error=_name(exc))
        raise
    try:
        outgoing.send(fail_silently=False)
    except PROVIDER_ERRORS as exc:
        _provider_failed(email, exc)
        return False
    except Exception as exc:
        _record(email, status=OutboxEmail.Status.FAILED, last_error=_name(exc))
        raise
    _record(email, status=OutboxEmail.Status.SENT, sent_at=timezone.now())
    return True


def _name(exc: BaseException) -> str:
    return f"{type(exc).__module__}.{type(exc).__qualname__}"[:200]


def _provider_failed(email: OutboxEmail, exc: BaseException) -> None:
    logger.warning(
        "outbox email send failed",
        extra={"outbox_email_id": email.pk, "error": _name(exc)},
    )
    if email.attempts >= settings.EMAIL_OUTBOX_MAX_ATTEMPTS:
        _record(email, status=OutboxEmail.Status.FAILED, last_error=_name(exc))
        return
    retry_at = timezone.now() + timedelta(seconds=backoff_seconds(email.attempts))
    _record(
        email,
        status=OutboxEmail.Status.PENDING,
        send_after=retry_at,
        last_error=_name(exc),
    )


def outbox_sweep(*, now: datetime | None = None, batch_size: int = 200) -> int:
    """Send what the tasks did not: due pending emails, and emails claimed at or
    before ``now - EMAIL_OUTBOX_CLAIM_TIMEOUT_SECONDS`` and still ``sending``
    (put back to pending first). Returns how many were sent."""
    now = now or timezone.now()
    stale = OutboxEmail.objects.filter(
        status=OutboxEmail.Status.SENDING,
        claimed_at__lte=now
        - timedelta(seconds=settings.EMAIL_OUTBOX_CLAIM_TIMEOUT_SECONDS),
    )
    stale.filter(attempts__gte=settings.EMAIL_OUTBOX_MAX_ATTEMPTS).update(
        status=OutboxEmail.Status.FAILED, last_error="claim timed out"
    )
    stale.update(status=OutboxEmail.Status.PENDING, send_after=now)
    due_ids = list(
        OutboxEmail.objects.filter(
            status=OutboxEmail.Status.PENDING, send_after__lte=now
        )
        .order_by("send_after", "id")
        .values_list("id", flat=True)[:batch_size]
    )
    sent = 0
    for email_id in due_ids:
        try:
            sent += email_send(email_id=email_id, now=now)
        except Exception:
            # Recorded as failed; one broken email must not stop the rest.
            logger.exception("outbox email failed", extra={"outbox_email_id": email_id})
    return sent
