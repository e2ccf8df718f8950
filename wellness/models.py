"""Wellness practice: sessions, streaks, multi-day programs and achievements.

Every user-facing day is a *local date* in the user's time zone, computed once
when the row is written and stored (``local_date``); see ``wellness.streaks`` for
the rule when the user's time zone changes.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from kaya.fields import EncryptedTextField
from kaya.idempotency import client_id_constraint
from kaya.models import OwnedQuerySet

# A sane upper bound for one session (planned or actual): four hours.
MAX_SESSION_SECONDS = 4 * 60 * 60
MAX_FREEZES_BANKED = 2
DAYS_PER_FREEZE = 7


class SessionType(models.TextChoices):
    MEDITATION = "meditation", "Meditation"
    BREATHING = "breathing", "Breathing"
    BODY_SCAN = "body_scan", "Body scan"
    SLEEP = "sleep", "Sleep"
    YOGA = "yoga", "Yoga"
    MOVEMENT = "movement", "Movement"
    FOCUS = "focus", "Focus"
    GRATITUDE = "gratitude", "Gratitude"


MOOD_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]


# Programs and their days are written in English (the fields themselves); other
# languages live beside them in a small JSON map rather than a translation table,
# since only a few short fields are translated and they are always read with
# their row. The API shows the user's language when it has the field.
TRANSLATIONS_HELP = (
    'Other languages by language code, e.g. {{"es": {{"title": "..."}}}}; '
    "translatable: {fields}. A missing or empty value falls back to the English "
    "field."
)


class TranslationsValidator:
    """A translations map: language code -> {field: string}, known fields only."""

    def __init__(self, *fields: str) -> None:
        self.fields = fields

    def __call__(self, value: Any) -> None:
        from django.core.exceptions import ValidationError

        if not isinstance(value, dict):
            raise ValidationError('Use an object: {"es": {"title": "..."}}.')
        for language, texts in value.items():
            if not isinstance(texts, dict):
                raise ValidationError(f"{language}: use an object of texts.")
            unknown = sorted(set(texts) - set(self.fields))
            if unknown:
                raise ValidationError(
                    f"{language}: unknown field(s) {', '.join(unknown)}; "
                    f"translatable: {', '.join(self.fields)}."
                )
            if not all(isinstance(text, str) for text in texts.values()):
                raise ValidationError(f"{language}: every value must be text.")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TranslationsValidator) and other.fields == self.fields

    def deconstruct(self) -> tuple[str, tuple[str, ...], dict[str, Any]]:
        return ("wellness.models.TranslationsValidator", self.fields, {})


def translated(obj: Any, field: str, languages: tuple[str, ...]) -> Any:
    """``obj.<field>`` in the first of ``languages`` that has it, else the
    field itself (English)."""
    translations = getattr(obj, "translations", None) or {}
    for language in languages:
        value = (translations.get(language) or {}).get(field)
        if isinstance(value, str) and value.strip():
            return value
    return getattr(obj, field)


class WellnessProgramQuerySet(models.QuerySet["WellnessProgram"]):
    def published(self) -> WellnessProgramQuerySet:
        return self.filter(is_published=True)


class WellnessProgram(models.Model):
    """A staff-curated multi-day program (content, not user data)."""

    class Category(models.TextChoices):
        STRESS = "stress", "Stress"
        SLEEP = "sleep", "Sleep"
        ANXIETY = "anxiety", "Anxiety"
        FOCUS = "focus", "Focus"
        MINDFULNESS = "mindfulness", "Mindfulness"
        MOVEMENT = "movement", "Movement"
        SELF_COMPASSION = "self_compassion", "Self-compassion"

    class Difficulty(models.TextChoices):
        BEGINNER = "beginner", "Beginner"
        INTERMEDIATE = "intermediate", "Intermediate"
        ADVANCED = "advanced", "Advanced"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    summary = models.CharField(max_length=500, blank=True)
    description = models.TextField(blank=True)
    category = models.CharField(max_length=32, choices=Category.choices)
    difficulty = models.CharField(
        max_length=16, choices=Difficulty.choices, default=Difficulty.BEGINNER
    )
    cover_image_url = models.URLField(max_length=500, blank=True)
    is_premium = models.BooleanField(default=False)
    is_published = models.BooleanField(default=False)
    ordering = models.PositiveIntegerField(
        default=0, help_text="Lower numbers are listed first."
    )
    translations = models.JSONField(
        default=dict,
        blank=True,
        help_text=TRANSLATIONS_HELP.format(fields="title, summary, description"),
        validators=[TranslationsValidator("title", "summary", "description")],
    )
    # Kept in step with the days by the admin (program_days_count_refresh).
    days_count = models.PositiveSmallIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = WellnessProgramQuerySet.as_manager()

    class Meta:
        ordering = ("ordering", "id")
        indexes = [
            models.Index(
                fields=["ordering", "id"],
                condition=models.Q(is_published=True),
                name="wellness_program_pub_idx",
            )
        ]

    def __str__(self) -> str:
        return self.title


class ProgramDay(models.Model):
    program = models.ForeignKey(
        WellnessProgram, on_delete=models.CASCADE, related_name="days"
    )
    day_number = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    title = models.CharField(max_length=200)
    content = models.TextField(blank=True)
    session_type = models.CharField(max_length=16, choices=SessionType.choices)
    duration_minutes = models.PositiveSmallIntegerField(
        default=10, validators=[MinValueValidator(1), MaxValueValidator(240)]
    )
    translations = models.JSONField(
        default=dict,
        blank=True,
        help_text=TRANSLATIONS_HELP.format(fields="title, content"),
        validators=[TranslationsValidator("title", "content")],
    )

    class Meta:
        ordering = ("program_id", "day_number")
        constraints = [
            models.UniqueConstraint(
                fields=["program", "day_number"], name="wellness_program_day_unique"
            )
        ]

    def __str__(self) -> str:
        # Shown as each day's heading in the program's admin page.
        return f"Day {self.day_number}: {self.title}"


class ProgramEnrollmentQuerySet(OwnedQuerySet["ProgramEnrollment"]):
    def active(self) -> ProgramEnrollmentQuerySet:
        return self.filter(completed_at__isnull=True)


class ProgramEnrollment(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="program_enrollments",
    )
    program = models.ForeignKey(
        WellnessProgram, on_delete=models.PROTECT, related_name="enrollments"
    )
    enrolled_at = models.DateTimeField(default=timezone.now)
    # Stored counters, updated by enrollment_day_complete.
    days_completed = models.PositiveSmallIntegerField(default=0)
    progress_percent = models.PositiveSmallIntegerField(default=0)
    # The local date the last day was marked done: the next day unlocks on the
    # following local date.
    last_completed_local_date = models.DateField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    objects = ProgramEnrollmentQuerySet.as_manager()

    class Meta:
        ordering = ("-enrolled_at", "-id")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "program"], name="wellness_enrollment_unique"
            )
        ]

    def __str__(self) -> str:
        return f"user {self.user_id} in program {self.program_id}"

    def next_day_unlocked(self, today: date) -> bool:
        """Whether day ``days_completed + 1`` may be done on local date ``today``:
        days unlock one per local day, the day after the previous one was done."""
        last = self.last_completed_local_date
        return last is None or today > last

    def next_day(self, today: date) -> dict[str, Any] | None:
        """The next day to do and the local date it unlocks on (None when
        finished). Reads ``program.days_count``: select the program with it."""
        total = self.program.days_count
        number = self.days_completed + 1
        if self.completed_at is not None or number > total:
            return None
        last = self.last_completed_local_date
        unlocks_on = today if last is None else max(today, last + timedelta(days=1))
        return {
            "day_number": number,
            "unlocked": self.next_day_unlocked(today),
            "unlocks_on": unlocks_on,
        }


class ProgramDayProgress(models.Model):
    enrollment = models.ForeignKey(
        ProgramEnrollment, on_delete=models.CASCADE, related_name="day_progress"
    )
    day = models.ForeignKey(ProgramDay, on_delete=models.CASCADE, related_name="+")
    day_number = models.PositiveSmallIntegerField()
    completed_at = models.DateTimeField(default=timezone.now)
    local_date = models.DateField()

    class Meta:
        ordering = ("enrollment_id", "day_number")
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "day"], name="wellness_day_progress_unique"
            )
        ]

    def __str__(self) -> str:
        return f"enrollment {self.enrollment_id} day {self.day_number}"


class WellnessSessionQuerySet(OwnedQuerySet["WellnessSession"]):
    # Chain completed() before for_user(): the base types for_user() as
    # returning an OwnedQuerySet, which has no completed() for mypy.
    def completed(self) -> WellnessSessionQuerySet:
        return self.filter(status=WellnessSession.Status.COMPLETED)


class WellnessSession(models.Model):
    """One practice session (the API's ``/sessions``; not Django's sessions)."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed", "Completed"
        ABANDONED = "abandoned", "Abandoned"

    # No index of its own: wellness_session_user_idx (user, -started_at, -id)
    # leads with it. A lone (user) index let a statement's generic plan
    # (kaya.prepared statements are prepared on the server) fetch and sort all
    # of a long history instead of reading the page in index order.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="wellness_sessions",
        db_index=False,
    )
    type = models.CharField(max_length=16, choices=SessionType.choices)
    title = models.CharField(max_length=200)
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.IN_PROGRESS
    )
    # Client-generated idempotency key: a retried create returns the same row.
    client_id = models.UUIDField(null=True, blank=True)
    planned_duration_seconds = models.PositiveIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(MAX_SESSION_SECONDS)]
    )
    actual_duration_seconds = models.PositiveIntegerField(null=True, blank=True)
    progress_seconds = models.PositiveIntegerField(default=0)
    enrollment = models.ForeignKey(
        ProgramEnrollment,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sessions",
    )
    program_day = models.ForeignKey(
        ProgramDay,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Set by the AI content issue; an opaque id of generated content.
    generated_content_id = models.CharField(max_length=64, blank=True)
    mood_before = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=MOOD_VALIDATORS
    )
    mood_after = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=MOOD_VALIDATORS
    )
    # Private reflection: encrypted at rest, never logged.
    notes = EncryptedTextField(blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    abandoned_at = models.DateTimeField(null=True, blank=True)
    # The user's local date (in their zone at that moment) when the session was
    # started, replaced by the local date of completion when it completes.
    local_date = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    # For delta sync (?updated_since=): every service write lists it.
    updated_at = models.DateTimeField(auto_now=True)

    objects = WellnessSessionQuerySet.as_manager()

    class Meta:
        ordering = ("-started_at", "-id")
        constraints = [
            client_id_constraint("wellness_session"),
            models.CheckConstraint(
                condition=models.Q(mood_before__isnull=True)
                | models.Q(mood_before__gte=1, mood_before__lte=5),
                name="wellness_session_mood_before_range",
            ),
            models.CheckConstraint(
                condition=models.Q(mood_after__isnull=True)
                | models.Q(mood_after__gte=1, mood_after__lte=5),
                name="wellness_session_mood_after_range",
            ),
        ]
        indexes = [
            models.Index(
                fields=["user", "-started_at", "-id"], name="wellness_session_user_idx"
            ),
            models.Index(
                fields=["user", "local_date"],
                condition=models.Q(status="completed"),
                name="wellness_session_done_idx",
            ),
            models.Index(
                fields=["user", "updated_at", "id"], name="wellness_session_sync_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type} session {self.pk} of user {self.user_id}"


class SessionSums(models.Model):
    """Sums over completed sessions, added to as sessions complete
    (``wellness.services.rollups``). Mood sums cover only the sessions that
    have both moods (``mood_pairs_count`` of them)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        # The unique constraint's index leads with the user.
        db_index=False,
    )
    type = models.CharField(max_length=16, choices=SessionType.choices)
    sessions_count = models.PositiveIntegerField(default=0)
    duration_seconds = models.PositiveBigIntegerField(default=0)
    mood_pairs_count = models.PositiveIntegerField(default=0)
    mood_before_sum = models.PositiveIntegerField(default=0)
    mood_after_sum = models.PositiveIntegerField(default=0)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        abstract = True


class SessionDay(SessionSums):
    """Completed sessions of one user, local date and type: what week totals
    and mood trends read instead of the sessions themselves."""

    local_date = models.DateField()

    class Meta:
        constraints = [
            # Also the index every read and upsert goes through.
            models.UniqueConstraint(
                fields=["user", "local_date", "type"], name="wellness_sessionday_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.type} on {self.local_date} of user {self.user_id}"


class SessionTotal(SessionSums):
    """All completed sessions of one user and type: the lifetime totals of the
    stats endpoints, eight rows at most whatever the history."""

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "type"], name="wellness_sessiontotal_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.type} total of user {self.user_id}"


class SessionTally(models.Model):
    """How many sessions one user has started, in any status: the total of the
    unfiltered sessions page (``selectors.sessions.session_total``), added to
    as each session starts (``wellness.rollups.session_tally_add``), so a page
    reads one row instead of counting the user's whole history."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        # The unique constraint's index is the user's.
        db_index=False,
    )
    sessions_count = models.PositiveIntegerField(default=0)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user"], name="wellness_sessiontally_unique"
            )
        ]

    def __str__(self) -> str:
        return f"session tally of user {self.user_id}"


class Streak(models.Model):
    """The stored streak state of one user, updated on each completion.

    See ``wellness.streaks`` for the rules.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="wellness_streak",
    )
    current_length = models.PositiveIntegerField(default=0)
    longest_length = models.PositiveIntegerField(default=0)
    last_active_date = models.DateField(null=True, blank=True)
    freezes_banked = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(MAX_FREEZES_BANKED)]
    )
    freezes_used = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OwnedQuerySet["Streak"].as_manager()

    def __str__(self) -> str:
        return f"streak of user {self.user_id}: {self.current_length}"


class AchievementRule(models.TextChoices):
    """What an achievement counts. Each kind is measured from stored rows (see
    ``wellness.selectors.achievements``), never incremented, so a redelivered
    event changes nothing."""

    SESSIONS_COMPLETED = "sessions_completed", "Sessions completed"
    SECONDS_PRACTISED = "seconds_practised", "Seconds practised"
    STREAK_DAYS = "streak_days", "Longest streak (days)"
    JOURNAL_ENTRIES = "journal_entries", "Journal entries"
    GRATITUDE_ENTRIES = "gratitude_entries", "Gratitude entries"
    MOOD_LOGS = "mood_logs", "Mood logs"
    PROGRAMS_COMPLETED = "programs_completed", "Programs completed"
    CHALLENGES_COMPLETED = "challenges_completed", "Challenges completed"
    COMMUNITY_POSTS = "community_posts", "Community posts"
    EVENTS_ATTENDED = "events_attended", "Events attended"
    FIRST_OF_TYPE = "first_of_type", "First session of a type"


class AchievementQuerySet(models.QuerySet["Achievement"]):
    def active(self) -> AchievementQuerySet:
        return self.filter(is_active=True)


class Achievement(models.Model):
    """A staff-curated achievement (content, not user data): unlocked when the
    user's measure of ``rule_kind`` reaches ``threshold``."""

    class Category(models.TextChoices):
        PRACTICE = "practice", "Practice"
        CONSISTENCY = "consistency", "Consistency"
        REFLECTION = "reflection", "Reflection"
        PROGRAMS = "programs", "Programs"
        COMMUNITY = "community", "Community"
        EXPLORATION = "exploration", "Exploration"

    code = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=120)
    description = models.CharField(max_length=300, blank=True)
    icon = models.CharField(
        max_length=64, blank=True, help_text="An icon name the apps know."
    )
    category = models.CharField(max_length=16, choices=Category.choices)
    points = models.PositiveIntegerField(default=10)
    is_active = models.BooleanField(default=True)
    rule_kind = models.CharField(max_length=32, choices=AchievementRule.choices)
    threshold = models.PositiveIntegerField(
        default=1,
        validators=[MinValueValidator(1)],
        help_text="Seconds for seconds_practised, days for streak_days, a count "
        "otherwise; 1 for first_of_type.",
    )
    # Only for first_of_type: the session type whose first completion counts.
    session_type = models.CharField(
        max_length=16, choices=SessionType.choices, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AchievementQuerySet.as_manager()

    class Meta:
        ordering = ("category", "threshold", "id")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(threshold__gte=1),
                name="wellness_achievement_threshold_positive",
            ),
            models.CheckConstraint(
                condition=~models.Q(rule_kind="first_of_type")
                | (~models.Q(session_type="") & models.Q(threshold=1)),
                name="wellness_achievement_first_of_type_rule",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.rule_kind == AchievementRule.FIRST_OF_TYPE:
            errors = {}
            if not self.session_type:
                errors["session_type"] = "first_of_type needs a session type."
            if self.threshold != 1:
                errors["threshold"] = "first_of_type unlocks on the first: use 1."
            if errors:
                raise ValidationError(errors)
        elif self.session_type:
            raise ValidationError(
                {"session_type": "Only first_of_type uses a session type."}
            )


class UserAchievementQuerySet(OwnedQuerySet["UserAchievement"]):
    def unlocked(self) -> UserAchievementQuerySet:
        return self.filter(unlocked_at__isnull=False)


class UserAchievement(models.Model):
    """One user's progress toward one achievement. ``progress`` is capped at the
    threshold and frozen once unlocked: an unlock is never taken back."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="achievements",
    )
    achievement = models.ForeignKey(
        Achievement, on_delete=models.CASCADE, related_name="user_achievements"
    )
    progress = models.PositiveIntegerField(default=0)
    unlocked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = UserAchievementQuerySet.as_manager()

    class Meta:
        ordering = ("-unlocked_at", "-id")
        constraints = [
            # With the conditional update in the engine, this makes an unlock
            # happen once even when two events race.
            models.UniqueConstraint(
                fields=["user", "achievement"], name="wellness_user_achievement_unique"
            )
        ]
        indexes = [
            models.Index(
                fields=["user", "-unlocked_at", "-id"],
                condition=models.Q(unlocked_at__isnull=False),
                name="wellness_user_ach_unlocked_idx",
            )
        ]

    def __str__(self) -> str:
        return f"user {self.user_id} achievement {self.achievement_id}"


class ChallengeGoal(models.TextChoices):
    """What a challenge counts inside its window. Like the achievement rules,
    each is measured from stored rows (see ``wellness.selectors.challenges``),
    never incremented."""

    SESSIONS_COMPLETED = "sessions_completed", "Sessions completed"
    SECONDS_PRACTISED = "seconds_practised", "Seconds practised"
    PRACTICE_DAYS = "practice_days", "Days with a completed session"
    JOURNAL_ENTRIES = "journal_entries", "Journal entries"
    GRATITUDE_ENTRIES = "gratitude_entries", "Gratitude entries"
    MOOD_LOGS = "mood_logs", "Mood logs"


class ChallengeQuerySet(models.QuerySet["Challenge"]):
    def active(self) -> ChallengeQuerySet:
        return self.filter(is_active=True)


class Challenge(models.Model):
    """A staff-curated challenge (content, not user data): reach ``goal_target``
    of ``goal_kind`` between ``start_date`` and ``end_date``, both inclusive and
    read as each participant's own local dates."""

    slug = models.SlugField(max_length=200, unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    goal_kind = models.CharField(max_length=32, choices=ChallengeGoal.choices)
    goal_target = models.PositiveIntegerField(
        validators=[MinValueValidator(1)],
        help_text="Seconds for seconds_practised, days for practice_days, a count "
        "otherwise.",
    )
    start_date = models.DateField()
    end_date = models.DateField()
    is_active = models.BooleanField(
        default=True, help_text="Untick to retire: it leaves every list."
    )
    is_premium = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ChallengeQuerySet.as_manager()

    class Meta:
        ordering = ("start_date", "id")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(goal_target__gte=1),
                name="wellness_challenge_target_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="wellness_challenge_dates_ordered",
            ),
        ]
        indexes = [
            models.Index(
                fields=["end_date", "start_date", "id"],
                condition=models.Q(is_active=True),
                name="wellness_challenge_active_idx",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "Ends before it starts."})


class ChallengeParticipant(models.Model):
    """One user in one challenge. ``progress`` is recomputed from the database
    on each relevant event, capped at the target and frozen once completed:
    a completion is never taken back."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="challenge_participations",
    )
    challenge = models.ForeignKey(
        Challenge, on_delete=models.PROTECT, related_name="participants"
    )
    progress = models.PositiveIntegerField(default=0)
    joined_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OwnedQuerySet["ChallengeParticipant"].as_manager()

    class Meta:
        ordering = ("-joined_at", "-id")
        constraints = [
            # With the conditional update in the service, this makes a
            # completion happen once even when two events race.
            models.UniqueConstraint(
                fields=["user", "challenge"],
                name="wellness_challenge_participant_unique",
            )
        ]
        indexes = [
            models.Index(
                fields=["challenge", "-progress", "completed_at", "joined_at"],
                name="wellness_challenge_board_idx",
            )
        ]

    def __str__(self) -> str:
        return f"user {self.user_id} in challenge {self.challenge_id}"


class WellnessEventQuerySet(models.QuerySet["WellnessEvent"]):
    def published(self) -> WellnessEventQuerySet:
        return self.filter(is_published=True)


class WellnessEvent(models.Model):
    """A staff-curated live event (content, not user data): a class, workshop,
    group meditation or webinar with a fixed number of seats."""

    class Kind(models.TextChoices):
        LIVE_CLASS = "live_class", "Live class"
        WORKSHOP = "workshop", "Workshop"
        GROUP_MEDITATION = "group_meditation", "Group meditation"
        WEBINAR = "webinar", "Webinar"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    host = models.CharField(
        max_length=120, help_text="Who leads it, as shown to users."
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    capacity = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    online_url = models.URLField(
        max_length=500,
        blank=True,
        help_text="The join link; shown only to users holding a seat.",
    )
    place = models.CharField(
        max_length=300, blank=True, help_text="Where it happens in person."
    )
    is_published = models.BooleanField(default=False)
    is_premium = models.BooleanField(default=False)
    # Seats held (registered or attended). Written only by the registration
    # services, under the event's row lock; the check constraint below makes
    # overbooking impossible even for a writer that skips them.
    seats_taken = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = WellnessEventQuerySet.as_manager()

    class Meta:
        ordering = ("starts_at", "id")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="wellness_event_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(capacity__gte=1),
                name="wellness_event_capacity_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(seats_taken__lte=models.F("capacity")),
                name="wellness_event_not_overbooked",
            ),
            models.CheckConstraint(
                condition=~models.Q(online_url="") | ~models.Q(place=""),
                name="wellness_event_has_url_or_place",
            ),
        ]
        indexes = [
            models.Index(
                fields=["starts_at", "id"],
                condition=models.Q(is_published=True),
                name="wellness_event_pub_idx",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def seats_left(self) -> int:
        return max(0, self.capacity - self.seats_taken)

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        errors: dict[str, str] = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = "The event must end after it starts."
        if not self.online_url and not self.place:
            errors["place"] = "Give an online URL, a place, or both."
        if self.capacity is not None and self.capacity < self.seats_taken:
            errors["capacity"] = (
                f"{self.seats_taken} seats are taken: the capacity cannot be "
                "lower. Cancel registrations first."
            )
        if errors:
            raise ValidationError(errors)


class EventRegistrationQuerySet(OwnedQuerySet["EventRegistration"]):
    def active(self) -> EventRegistrationQuerySet:
        return self.exclude(status=EventRegistration.Status.CANCELLED)


class EventRegistration(models.Model):
    """One user's place at an event. A cancelled row stays (history); registering
    again makes a new row. The waitlist is the waitlisted rows in ``created_at``
    order."""

    class Status(models.TextChoices):
        REGISTERED = "registered", "Registered"
        WAITLISTED = "waitlisted", "Waitlisted"
        CANCELLED = "cancelled", "Cancelled"
        ATTENDED = "attended", "Attended"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="event_registrations",
    )
    event = models.ForeignKey(
        WellnessEvent, on_delete=models.PROTECT, related_name="registrations"
    )
    status = models.CharField(max_length=16, choices=Status.choices)
    created_at = models.DateTimeField(default=timezone.now)
    # When the seat was given (at once, or on promotion from the waitlist).
    registered_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    attended_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EventRegistrationQuerySet.as_manager()

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "event"],
                condition=~models.Q(status="cancelled"),
                name="wellness_event_registration_active_unique",
            )
        ]
        indexes = [
            models.Index(
                fields=["user", "-created_at", "-id"],
                name="wellness_event_reg_user_idx",
            ),
            models.Index(
                fields=["event", "created_at", "id"],
                condition=models.Q(status="waitlisted"),
                name="wellness_event_waitlist_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"user {self.user_id} at event {self.event_id} ({self.status})"
