"""Model building blocks shared by every app."""

from __future__ import annotations

from typing import TYPE_CHECKING, Self, TypeVar

from django.db import models
from django.utils import timezone

if TYPE_CHECKING:
    from accounts.models import User

_M = TypeVar("_M", bound=models.Model)


class OwnedQuerySet(models.QuerySet[_M]):
    """Rows that belong to one user (a ``user`` foreign key). Selectors start
    every read of private data from ``for_user`` so ownership is enforced by the
    read itself: another user's row is simply not found (404)."""

    def for_user(self, user: User) -> Self:
        return self.filter(user=user)


class OutboxEmail(models.Model):
    """One email to send, written in the transaction of the change that calls
    for it. Sent by ``kaya.outbox`` (see there for the guarantee)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        SKIPPED = "skipped", "Skipped"
        FAILED = "failed", "Failed"

    # The registered builder (kaya.outbox.register) that turns ``object_id`` into
    # a message at send time: links and preferences are read then, not stored.
    kind = models.CharField(max_length=64)
    object_id = models.PositiveBigIntegerField()
    # One row per logical email; also the source of its Message-ID, so a
    # duplicate send (at-least-once) is recognisable as the same message.
    idempotency_key = models.CharField(max_length=200, unique=True)
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.PENDING
    )
    send_after = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # The class of the last error (never its message: it may quote an address).
    last_error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(
                fields=["send_after"],
                condition=models.Q(status="pending"),
                name="outbox_email_due_idx",
            ),
            models.Index(
                fields=["claimed_at"],
                condition=models.Q(status="sending"),
                name="outbox_email_claimed_idx",
            ),
            models.Index(fields=["kind", "object_id"], name="outbox_email_object_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} email {self.pk} ({self.status})"
