"""Journal, gratitude and mood entries (encrypted at rest), daily prompts and
crisis resources.

Every user entry stores the instant it happened (UTC) and the user's local date of
that instant, computed at write time from the user's time zone, so calendars,
streaks and aggregates keep the day the user saw even after they travel.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q

from kaya.fields import EncryptedJSONField, EncryptedTextField
from kaya.idempotency import client_id_constraint
from kaya.models import OwnedQuerySet

if TYPE_CHECKING:
    from accounts.models import User

# The documented vocabularies for mood tags (see README). Values are stored as is.
EMOTIONS: tuple[str, ...] = (
    "happy",
    "calm",
    "content",
    "grateful",
    "hopeful",
    "excited",
    "proud",
    "loved",
    "relaxed",
    "motivated",
    "anxious",
    "stressed",
    "sad",
    "lonely",
    "angry",
    "frustrated",
    "irritable",
    "overwhelmed",
    "tired",
    "bored",
    "numb",
    "scared",
    "guilty",
    "ashamed",
    "confused",
    "hurt",
)
FACTORS: tuple[str, ...] = (
    "sleep",
    "exercise",
    "work",
    "school",
    "social",
    "family",
    "relationship",
    "friends",
    "health",
    "food",
    "weather",
    "money",
    "hobbies",
    "nature",
    "meditation",
    "screen_time",
    "travel",
    "news",
)


class JournalEntryQuerySet(OwnedQuerySet["JournalEntry"]):
    def for_user(self, user: User) -> JournalEntryQuerySet:
        """The user's live entries: a deleted entry's tombstone is never read,
        only listed to a delta sync (``for_user_sync``)."""
        return self.filter(user=user, deleted_at__isnull=True)

    def for_user_sync(self, user: User) -> JournalEntryQuerySet:
        return self.filter(user=user)


class Prompt(models.Model):
    """A staff-curated journaling prompt; one is chosen per user-local day."""

    text = models.CharField(max_length=500)
    locale = models.CharField(max_length=10, default="en", db_index=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("locale", "id")

    def __str__(self) -> str:
        return self.text[:60]


class CrisisResource(models.Model):
    """A staff-edited crisis line or service shown to users in distress."""

    locale = models.CharField(
        max_length=10, help_text="Language code, e.g. 'en'; see the fallback setting."
    )
    name = models.CharField(max_length=120)
    description = models.CharField(max_length=300, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    sms = models.CharField(max_length=80, blank=True)
    url = models.URLField(max_length=300, blank=True)
    countries = models.CharField(
        max_length=200,
        blank=True,
        help_text="ISO 3166 country codes where this line answers, separated by "
        "spaces (e.g. 'US' or 'DE FR IT'); empty for a line that answers "
        "everywhere. A user's country comes from their time zone.",
    )
    sort_order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("locale", "sort_order", "id")
        indexes = [
            models.Index(fields=["locale", "sort_order"], name="journal_crisis_loc_idx")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.locale})"


class CrisisPhrase(models.Model):
    """A staff-maintained phrase that signals self-harm or suicide risk.

    Matched by ``journal.crisis.crisis_check`` case-insensitively on word
    boundaries, after folding apostrophes and whitespace.
    """

    class Category(models.TextChoices):
        SUICIDE = "suicide", "Suicide"
        SELF_HARM = "self_harm", "Self-harm"

    locale = models.CharField(
        max_length=10, help_text="Language code, e.g. 'en'; matched by language."
    )
    phrase = models.CharField(max_length=120)
    category = models.CharField(max_length=16, choices=Category.choices)
    is_active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("locale", "phrase")
        constraints = [
            models.UniqueConstraint(
                fields=["locale", "phrase"], name="journal_crisis_phrase_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.phrase} ({self.locale}, {self.category})"


class MoodEntry(models.Model):
    class Mood(models.TextChoices):
        VERY_LOW = "very_low", "Very low"
        LOW = "low", "Low"
        NEUTRAL = "neutral", "Neutral"
        GOOD = "good", "Good"
        GREAT = "great", "Great"

    # Derived score per mood (1..5), stored so SQL can average it.
    SCORES: dict[str, int] = {
        Mood.VERY_LOW: 1,
        Mood.LOW: 2,
        Mood.NEUTRAL: 3,
        Mood.GOOD: 4,
        Mood.GREAT: 5,
    }

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="mood_entries",
        # The three indexes below lead with the user; a user-only index beside
        # them is one more to update per mood logged, and the planner preferred
        # it to (user, local_date) for a date range, reading all of the user's
        # entries and filtering them.
        db_index=False,
    )
    mood = models.CharField(max_length=16, choices=Mood.choices)
    score = models.PositiveSmallIntegerField()
    intensity = models.PositiveSmallIntegerField()
    note = EncryptedTextField(blank=True)
    # Client-generated idempotency key (kaya.idempotency): a retried create
    # returns the same row.
    client_id = models.UUIDField(null=True, blank=True)
    logged_at = models.DateTimeField()
    local_date = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    # For delta sync (?updated_since=).
    updated_at = models.DateTimeField(auto_now=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ("-logged_at", "-id")
        verbose_name_plural = "mood entries"
        indexes = [
            models.Index(
                fields=["user", "local_date"], name="journal_mood_user_day_idx"
            ),
            models.Index(
                fields=["user", "-logged_at", "-id"], name="journal_mood_user_at_idx"
            ),
            models.Index(
                fields=["user", "updated_at", "id"], name="journal_mood_sync_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=1, score__lte=5), name="journal_mood_score_1_5"
            ),
            models.CheckConstraint(
                condition=Q(intensity__gte=1, intensity__lte=10),
                name="journal_mood_intensity_1_10",
            ),
            client_id_constraint("journal_mood"),
        ]

    def __str__(self) -> str:
        return f"Mood {self.mood} of user {self.user_id} on {self.local_date}"


class MoodTag(models.Model):
    """One row per emotion or factor of a mood entry, so SQL can aggregate them."""

    class Kind(models.TextChoices):
        EMOTION = "emotion", "Emotion"
        FACTOR = "factor", "Factor"

    # Neither key has an index of its own: the unique (entry, kind, value)
    # index leads with the entry and the (user, kind, local_date) one with the
    # user (two index updates fewer per tag written).
    entry = models.ForeignKey(
        MoodEntry, on_delete=models.CASCADE, related_name="tags", db_index=False
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="mood_tags",
        db_index=False,
    )
    kind = models.CharField(max_length=8, choices=Kind.choices)
    value = models.CharField(max_length=32)
    local_date = models.DateField()

    class Meta:
        ordering = ("kind", "id")
        indexes = [
            models.Index(
                fields=["user", "kind", "local_date"], name="journal_moodtag_user_idx"
            ),
            # An entry's tags of one kind in the order they were given, read
            # from the index alone (PostgreSQL; SQLite indexes the keys): mood
            # history reads them for every entry of a month (EXPLAIN, 60
            # entries: 1.0 -> 0.35 ms; before, a heap fetch and a sort each).
            models.Index(
                fields=["entry", "kind", "id"],
                include=["value"],
                name="journal_moodtag_entry_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["entry", "kind", "value"], name="journal_moodtag_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


class MoodDay(models.Model):
    """One user's mood entries of one local date, summed as they are written
    (``journal.rollups``), so a year of trends reads 365 rows rather than every
    entry and its tags. ``tag_counts`` is ``{"emotion": {value: n}, "factor":
    {value: n}}`` over the day's tags (values from the fixed vocabularies)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        # The unique constraint's index leads with the user.
        db_index=False,
    )
    local_date = models.DateField()
    entries_count = models.PositiveIntegerField(default=0)
    score_sum = models.PositiveIntegerField(default=0)
    intensity_sum = models.PositiveIntegerField(default=0)
    tag_counts = models.JSONField(default=dict)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        constraints = [
            # Also the index every read and upsert goes through.
            models.UniqueConstraint(
                fields=["user", "local_date"], name="journal_moodday_unique"
            )
        ]

    def __str__(self) -> str:
        return f"Mood day {self.local_date} of user {self.user_id}"


class JournalEntry(models.Model):
    # No index of its own: the composite indexes below lead with the user, and
    # the live entries' one (no tombstones) answers the counts.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="journal_entries",
        db_index=False,
    )
    title = EncryptedTextField(blank=True)
    body = EncryptedTextField()
    # Plaintext length, kept so the admin can show metadata without decrypting.
    body_length = models.PositiveIntegerField(default=0)
    prompt = models.ForeignKey(
        Prompt,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    mood_entry = models.ForeignKey(
        MoodEntry,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="journal_entries",
    )
    # Client-generated idempotency key (kaya.idempotency).
    client_id = models.UUIDField(null=True, blank=True)
    occurred_at = models.DateTimeField()
    local_date = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # A deleted entry stays as a content-free tombstone so offline clients
    # syncing with ?updated_since= learn of the deletion.
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = JournalEntryQuerySet.as_manager()

    class Meta:
        ordering = ("-occurred_at", "-id")
        verbose_name_plural = "journal entries"
        indexes = [
            models.Index(
                fields=["user", "-occurred_at", "-id"], name="journal_entry_user_at_idx"
            ),
            models.Index(fields=["user", "local_date"], name="journal_entry_day_idx"),
            models.Index(
                fields=["user", "updated_at", "id"], name="journal_entry_sync_idx"
            ),
            # A user's live entries, newest first: the journal page read in
            # index order and its count from the index alone (the profile's
            # stats too). Every other index also holds the tombstones, so a
            # page through one filters them out row by row, and a generic plan
            # (kaya.db.planned_once_cursor) sorted the whole history.
            models.Index(
                fields=["user", "-occurred_at", "-id"],
                condition=models.Q(deleted_at__isnull=True),
                name="journal_entry_live_at_idx",
            ),
        ]
        constraints = [client_id_constraint("journal_entry")]

    def __str__(self) -> str:
        return f"Journal entry {self.pk} of user {self.user_id}"


class JournalTag(models.Model):
    """A normalised tag of a journal entry: one row each, so SQL filters by tag
    on SQLite and PostgreSQL alike. Tags are metadata and are not encrypted."""

    # Neither key has an index of its own: the (entry, id) and unique (entry,
    # name) indexes lead with the entry, the (user, name) one with the user.
    entry = models.ForeignKey(
        JournalEntry, on_delete=models.CASCADE, related_name="tags", db_index=False
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="journal_tags",
        db_index=False,
    )
    name = models.CharField(max_length=32)

    class Meta:
        ordering = ("id",)
        indexes = [
            models.Index(fields=["user", "name"], name="journal_tag_user_name_idx"),
            # An entry's tags in their order, read from the index alone: the
            # journal page reads them for each of its entries (a heap fetch
            # and a sort per entry without it).
            models.Index(
                fields=["entry", "id"], include=["name"], name="journal_tag_entry_idx"
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["entry", "name"], name="journal_tag_unique")
        ]

    def __str__(self) -> str:
        return self.name


class GratitudeEntry(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="gratitude_entries",
    )
    # A list of one to three short strings.
    items = EncryptedJSONField()
    item_count = models.PositiveSmallIntegerField(default=0)
    # Client-generated idempotency key (kaya.idempotency).
    client_id = models.UUIDField(null=True, blank=True)
    occurred_at = models.DateTimeField()
    local_date = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    # For delta sync (?updated_since=).
    updated_at = models.DateTimeField(auto_now=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ("-occurred_at", "-id")
        verbose_name_plural = "gratitude entries"
        indexes = [
            models.Index(
                fields=["user", "-occurred_at", "-id"],
                name="journal_grat_user_at_idx",
            ),
            models.Index(fields=["user", "local_date"], name="journal_grat_day_idx"),
            models.Index(
                fields=["user", "updated_at", "id"], name="journal_grat_sync_idx"
            ),
        ]
        constraints = [client_id_constraint("journal_gratitude")]

    def __str__(self) -> str:
        return f"Gratitude entry {self.pk} of user {self.user_id}"
