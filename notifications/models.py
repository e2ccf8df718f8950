from __future__ import annotations

from django.conf import settings
from django.db import models

from accounts.models import User
from kaya.models import OwnedQuerySet


class NotificationQuerySet(OwnedQuerySet["Notification"]):
    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    class Type(models.TextChoices):
        ACHIEVEMENT_UNLOCKED = "achievement_unlocked", "Achievement unlocked"
        SESSION_REMINDER = "session_reminder", "Session reminder"
        PROGRAM_DAY_READY = "program_day_ready", "Program day ready"
        EVENT_REMINDER = "event_reminder", "Event reminder"
        EVENT_UPDATE = "event_update", "Event update"
        CHALLENGE_COMPLETED = "challenge_completed", "Challenge completed"
        BOOKING_UPDATE = "booking_update", "Booking update"
        COMMUNITY_REPLY = "community_reply", "Community reply"
        COMMUNITY_LIKE = "community_like", "Community like"
        MODERATION = "moderation", "Moderation"
        AI_GENERATION_COMPLETED = "ai_generation_completed", "AI generation completed"
        ANNOUNCEMENT = "announcement", "Announcement"
        SYSTEM = "system", "System"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    type = models.CharField(max_length=32, choices=Type.choices)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True, max_length=2000)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=False)
    read_at = models.DateTimeField(null=True, blank=True)

    # The email copy of a notification is a row of the project's email outbox
    # (kaya.models.OutboxEmail, kind "notifications.notification").

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [
            models.Index(
                fields=["user", "-created_at", "-id"], name="notif_user_created_idx"
            ),
            models.Index(
                fields=["user"],
                condition=models.Q(read_at__isnull=True),
                name="notif_user_unread_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type} for user {self.user_id}"


class ScheduledNotification(models.Model):
    """A notification to create later, picked up by the periodic dispatcher.

    Long delays live in the database rather than in Celery countdowns, which
    outlive the broker's visibility timeout and then run twice.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        CANCELLED = "cancelled", "Cancelled"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="scheduled_notifications",
    )
    type = models.CharField(max_length=32, choices=Notification.Type.choices)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True, max_length=2000)
    data = models.JSONField(default=dict, blank=True)
    send_at = models.DateTimeField()
    # Makes scheduling idempotent: one row per user and key (e.g.
    # "program_day:12:4" or "booking_24h:88").
    dedupe_key = models.CharField(max_length=200)
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.PENDING
    )
    notification = models.ForeignKey(
        Notification, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "dedupe_key"], name="scheduled_notif_user_key_unique"
            ),
        ]
        indexes = [
            models.Index(
                fields=["send_at"],
                condition=models.Q(status="pending"),
                name="scheduled_notif_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type} for user {self.user_id} at {self.send_at:%Y-%m-%d %H:%M}"


class Announcement(models.Model):
    """A message from staff to every member, or a segment (tier, locale).

    Sent in batches by ``notifications.broadcast_announcement``: each batch is
    one transaction that creates the notifications of the next users (by id)
    and moves ``last_user_id`` on, so a redelivered or restarted task resumes
    where the last committed batch stopped and nobody is told twice. A broadcast
    whose ``progress_at`` is older than ``ANNOUNCEMENT_STALL_SECONDS`` is resumed
    by the beat sweep ``notifications.resume_stalled_announcements``.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"

    title = models.CharField(max_length=200)
    body = models.TextField(blank=True, max_length=2000)
    # Blank means everyone.
    tier = models.CharField(
        max_length=16,
        blank=True,
        choices=User.Tier.choices,
        help_text="Only members on this subscription tier (blank: every tier).",
    )
    locale = models.CharField(
        max_length=10,
        blank=True,
        help_text="Only members whose locale is this language, e.g. 'es' "
        "(also 'es-MX'); blank: every locale.",
    )
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    recipients_total = models.PositiveIntegerField(default=0)
    recipients_done = models.PositiveIntegerField(default=0)
    last_user_id = models.BigIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    # When the broadcast last moved: queued, a batch committed, or the stall
    # sweep resumed it (so the sweep resumes it once per stall window).
    progress_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return self.title
