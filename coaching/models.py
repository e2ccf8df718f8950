"""Models of the coaching app: the therapist directory, availability, bookings,
and the AI companion's jobs, conversations and counters (``coaching/ai/``).
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import validate_timezone
from kaya.fields import EncryptedJSONField, EncryptedTextField
from kaya.models import OwnedQuerySet

if TYPE_CHECKING:
    from accounts.models import User


class TherapistQuerySet(models.QuerySet["Therapist"]):
    def active(self) -> TherapistQuerySet:
        return self.filter(is_active=True)


class Therapist(models.Model):
    """A directory entry, curated by staff in the admin. ``user`` links the staff-
    created account the therapist signs in with (the therapist role)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="therapist_profile",
    )
    display_name = models.CharField(max_length=120)
    photo_url = models.URLField(max_length=500, blank=True)
    bio = models.TextField(blank=True, max_length=4000)
    credentials = models.CharField(max_length=300, blank=True)
    # e.g. ["anxiety", "grief"]; languages as codes (["en", "es"]).
    specialties = models.JSONField(default=list, blank=True)
    approaches = models.JSONField(default=list, blank=True)
    languages = models.JSONField(default=list, blank=True)
    timezone = models.CharField(
        max_length=64, default="UTC", validators=[validate_timezone]
    )
    session_duration_seconds = models.PositiveIntegerField(default=50 * 60)
    buffer_seconds = models.PositiveIntegerField(
        default=10 * 60, help_text="Free time kept after every session."
    )
    min_notice_seconds = models.PositiveIntegerField(
        default=24 * 3600, help_text="How long before its start a slot can be booked."
    )
    max_bookings_per_day = models.PositiveSmallIntegerField(default=6)
    price_cents = models.PositiveIntegerField(default=0)
    currency = models.CharField(max_length=3, default="USD")
    accepts_new_clients = models.BooleanField(default=True)
    is_active = models.BooleanField(default=True)
    rating_average = models.DecimalField(
        max_digits=3, decimal_places=2, null=True, blank=True
    )
    rating_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TherapistQuerySet.as_manager()

    class Meta:
        ordering = ("display_name", "id")

    def __str__(self) -> str:
        return self.display_name


class AvailabilityWindow(models.Model):
    """Weekly hours, as wall-clock times in the therapist's time zone."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, "Monday"
        TUESDAY = 1, "Tuesday"
        WEDNESDAY = 2, "Wednesday"
        THURSDAY = 3, "Thursday"
        FRIDAY = 4, "Friday"
        SATURDAY = 5, "Saturday"
        SUNDAY = 6, "Sunday"

    therapist = models.ForeignKey(
        Therapist, on_delete=models.CASCADE, related_name="windows"
    )
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start_time = models.TimeField()
    end_time = models.TimeField()

    class Meta:
        ordering = ("weekday", "start_time")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start_time__lt=models.F("end_time")),
                name="coaching_window_start_before_end",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start_time}-{self.end_time}"


class AvailabilityException(models.Model):
    """A dated change to the weekly hours: time off (no times: the whole day) or
    extra hours, in the therapist's time zone."""

    class Kind(models.TextChoices):
        TIME_OFF = "time_off", "Time off"
        EXTRA = "extra", "Extra hours"

    therapist = models.ForeignKey(
        Therapist, on_delete=models.CASCADE, related_name="exceptions"
    )
    date = models.DateField()
    kind = models.CharField(max_length=16, choices=Kind.choices)
    start_time = models.TimeField(null=True, blank=True)
    end_time = models.TimeField(null=True, blank=True)

    class Meta:
        ordering = ("date", "start_time")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(start_time__isnull=True, end_time__isnull=True)
                    | models.Q(start_time__lt=models.F("end_time"))
                ),
                name="coaching_exception_times",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="extra") | models.Q(start_time__isnull=False),
                name="coaching_exception_extra_has_times",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.date}"


class BookingStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    CONFIRMED = "confirmed", "Confirmed"
    DECLINED = "declined", "Declined"
    CANCELLED = "cancelled", "Cancelled"
    COMPLETED = "completed", "Completed"
    NO_SHOW = "no_show", "No-show"


# Bookings that hold their time: the exclusion constraint covers exactly these.
ACTIVE_STATUSES = (BookingStatus.PENDING, BookingStatus.CONFIRMED)


class TherapistBookingQuerySet(OwnedQuerySet["TherapistBooking"]):
    def active(self) -> TherapistBookingQuerySet:
        return self.filter(status__in=ACTIVE_STATUSES)

    def for_therapist_user(self, user: User) -> TherapistBookingQuerySet:
        return self.filter(therapist__user=user)


class TherapistBooking(models.Model):
    """A client's session with a therapist over [starts_at, ends_at).

    On PostgreSQL an exclusion constraint (migration 0002, PostgreSQL only)
    refuses two active bookings of one therapist over overlapping times.
    """

    Status = BookingStatus

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bookings"
    )
    therapist = models.ForeignKey(
        Therapist, on_delete=models.PROTECT, related_name="bookings"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    status = models.CharField(
        max_length=16, choices=BookingStatus.choices, default=BookingStatus.PENDING
    )
    note = EncryptedTextField(blank=True, default="")
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_late = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TherapistBookingQuerySet.as_manager()

    class Meta:
        ordering = ("starts_at", "id")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(starts_at__lt=models.F("ends_at")),
                name="coaching_booking_start_before_end",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "starts_at"], name="booking_user_start_idx"),
            models.Index(
                fields=["therapist", "starts_at"], name="booking_therapist_start_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"Booking {self.pk} with {self.therapist_id} at {self.starts_at}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class BookingTransition(models.Model):
    """One step of a booking's history (a state change or a reschedule)."""

    booking = models.ForeignKey(
        TherapistBooking, on_delete=models.CASCADE, related_name="transitions"
    )
    from_status = models.CharField(max_length=16, choices=BookingStatus.choices)
    to_status = models.CharField(max_length=16, choices=BookingStatus.choices)
    reason = models.CharField(max_length=32, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    previous_starts_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("created_at", "id")

    def __str__(self) -> str:
        return f"{self.from_status} -> {self.to_status}"


# --- the AI companion (coaching.ai) ------------------------------------------------
class AIGenerationJobQuerySet(OwnedQuerySet["AIGenerationJob"]):
    pass


class AIGenerationJob(models.Model):
    """A generated practice (a guided session or a sleep story), made by the
    ``coaching.generate_ai_content`` task. The finished result is content the
    user can start a session from (``POST /sessions`` with its ``content_id``
    as ``generated_content_id``)."""

    class Kind(models.TextChoices):
        SESSION = "session", "Guided session"
        SLEEP_STORY = "sleep_story", "Sleep story"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ai_jobs"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.PENDING
    )
    # What was asked (the goal is the user's own words): encrypted.
    params = EncryptedJSONField(default=dict)
    # sha256 of kind and params: an identical request within the cache window
    # reuses a finished job instead of generating again.
    request_hash = models.CharField(max_length=64)
    # {"title", "steps": [{"title", "instruction", "duration_seconds"}], "script"}
    result = EncryptedJSONField(null=True, blank=True)
    # The opaque id a session started from this content carries.
    content_id = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    error_code = models.CharField(max_length=32, blank=True)
    provider = models.CharField(max_length=16, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    objects = AIGenerationJobQuerySet.as_manager()

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [
            models.Index(
                fields=["user", "request_hash", "created_at"],
                name="coaching_aijob_reuse_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} job {self.pk} ({self.status})"


class AIConversationQuerySet(OwnedQuerySet["AIConversation"]):
    pass


class AIConversation(models.Model):
    """A chat with the AI companion. Deleted by ``purge_expired`` once
    untouched for ``AI_CHAT_RETENTION_DAYS``."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="ai_conversations",
    )
    # The start of the first message: the user's words, encrypted.
    title = EncryptedTextField(blank=True)
    message_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    # The last message's time; retention counts from here.
    updated_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = AIConversationQuerySet.as_manager()

    class Meta:
        ordering = ("-updated_at", "-id")

    def __str__(self) -> str:
        return f"AI conversation {self.pk}"


class AIMessage(models.Model):
    class Role(models.TextChoices):
        USER = "user", "User"
        ASSISTANT = "assistant", "Assistant"

    conversation = models.ForeignKey(
        AIConversation, on_delete=models.CASCADE, related_name="messages"
    )
    role = models.CharField(max_length=16, choices=Role.choices)
    body = EncryptedTextField()
    # The reply is the fixed safe message (crisis signal, blocked or empty
    # answer, an output check); the model's text was not stored or shown.
    replaced = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("created_at", "id")

    def __str__(self) -> str:
        return f"{self.role} message {self.pk}"


class AIUsageDayQuerySet(OwnedQuerySet["AIUsageDay"]):
    pass


class AIUsageDay(models.Model):
    """AI use per user and user-local day: the quota counter, in the database
    so it holds across processes and cache outages."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    local_date = models.DateField()
    chat_messages = models.PositiveIntegerField(default=0)
    generations = models.PositiveIntegerField(default=0)

    objects = AIUsageDayQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "local_date"], name="coaching_aiusage_user_day"
            )
        ]

    def __str__(self) -> str:
        return f"AI usage {self.user_id} {self.local_date}"


class AICrisisReferralDay(models.Model):
    """How many times a day the AI companion answered with crisis resources:
    for reporting. Deliberately no user and no content."""

    date = models.DateField(unique=True)
    count = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.date}: {self.count}"
