"""Achievement reads: the user's measures for each rule kind, what they have
unlocked, and the catalogue with their progress."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import (
    BooleanField,
    Count,
    DateTimeField,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce

from journal.models import GratitudeEntry, JournalEntry, MoodEntry
from wellness.models import (
    Achievement,
    AchievementRule,
    ChallengeParticipant,
    EventRegistration,
    ProgramEnrollment,
    Streak,
    UserAchievement,
    WellnessSession,
)

if TYPE_CHECKING:
    from accounts.models import User

Kind = AchievementRule

# Kinds measured from the practice sessions (one aggregate query).
SESSION_KINDS = frozenset(
    {Kind.SESSIONS_COMPLETED, Kind.SECONDS_PRACTISED, Kind.FIRST_OF_TYPE}
)


@dataclass(frozen=True)
class AchievementMeasures:
    """The user's current value for each measured kind. Kinds with no source
    yet (community posts) measure 0 until their app exists."""

    totals: dict[str, int] = field(default_factory=dict)
    sessions_by_type: dict[str, int] = field(default_factory=dict)

    def value(self, achievement: Achievement) -> int:
        if achievement.rule_kind == Kind.FIRST_OF_TYPE:
            return self.sessions_by_type.get(achievement.session_type, 0)
        return self.totals.get(achievement.rule_kind, 0)


def achievement_measures(*, user: User, kinds: Iterable[str]) -> AchievementMeasures:
    """Count, in the database, what each of ``kinds`` measures for the user:
    at most one query per source (sessions, streak, journal, gratitude, mood,
    programs, challenges, events)."""
    wanted = set(kinds)
    totals: dict[str, int] = {}
    by_type: dict[str, int] = {}
    if wanted & SESSION_KINDS:
        done = WellnessSession.objects.completed().for_user(user)
        if Kind.FIRST_OF_TYPE in wanted:
            rows = list(
                done.order_by()
                .values("type")
                .annotate(
                    sessions=Count("id"),
                    seconds=Coalesce(Sum("actual_duration_seconds"), 0),
                )
            )
            by_type = {row["type"]: row["sessions"] for row in rows}
            totals[Kind.SESSIONS_COMPLETED] = sum(by_type.values())
            totals[Kind.SECONDS_PRACTISED] = sum(row["seconds"] for row in rows)
        else:
            agg = done.aggregate(
                sessions=Count("id"),
                seconds=Coalesce(Sum("actual_duration_seconds"), 0),
            )
            totals[Kind.SESSIONS_COMPLETED] = agg["sessions"]
            totals[Kind.SECONDS_PRACTISED] = agg["seconds"]
    if Kind.STREAK_DAYS in wanted:
        # The longest streak ever reached: a streak that ends takes nothing away.
        longest = (
            Streak.objects.for_user(user)
            .values_list("longest_length", flat=True)
            .first()
        )
        totals[Kind.STREAK_DAYS] = longest or 0
    if Kind.JOURNAL_ENTRIES in wanted:
        totals[Kind.JOURNAL_ENTRIES] = JournalEntry.objects.for_user(user).count()
    if Kind.GRATITUDE_ENTRIES in wanted:
        totals[Kind.GRATITUDE_ENTRIES] = GratitudeEntry.objects.for_user(user).count()
    if Kind.MOOD_LOGS in wanted:
        totals[Kind.MOOD_LOGS] = MoodEntry.objects.for_user(user).count()
    if Kind.PROGRAMS_COMPLETED in wanted:
        totals[Kind.PROGRAMS_COMPLETED] = (
            ProgramEnrollment.objects.for_user(user)
            .filter(completed_at__isnull=False)
            .count()
        )
    if Kind.CHALLENGES_COMPLETED in wanted:
        totals[Kind.CHALLENGES_COMPLETED] = (
            ChallengeParticipant.objects.for_user(user)
            .filter(completed_at__isnull=False)
            .count()
        )
    if Kind.EVENTS_ATTENDED in wanted:
        totals[Kind.EVENTS_ATTENDED] = (
            EventRegistration.objects.for_user(user)
            .filter(status=EventRegistration.Status.ATTENDED)
            .count()
        )
    return AchievementMeasures(totals=totals, sessions_by_type=by_type)


def achievement_rules_for(*, user: User) -> QuerySet[Achievement]:
    """The active achievements evaluated for the user. Gentle mode shows no
    streaks anywhere, so streak achievements are left out for it."""
    rules = Achievement.objects.active()
    if user.gentle_mode:
        rules = rules.exclude(rule_kind=Kind.STREAK_DAYS)
    return rules


def achievement_unlocked_list(*, user: User) -> QuerySet[UserAchievement]:
    """What the user has unlocked, newest first; an unlock stays listed even if
    staff later retire the achievement."""
    return (
        UserAchievement.objects.for_user(user)
        .unlocked()
        .select_related("achievement")
        .order_by("-unlocked_at", "-id")
    )


def achievement_available_list(*, user: User) -> QuerySet[Achievement]:
    """Every active achievement with the user's stored progress, unlock time and
    unlocked flag annotated: one query per page, whatever the catalogue size."""
    mine = UserAchievement.objects.for_user(user).filter(achievement=OuterRef("pk"))
    return (
        achievement_rules_for(user=user)
        .annotate(
            user_progress=Coalesce(
                Subquery(mine.values("progress")[:1]),
                0,
                output_field=IntegerField(),
            ),
            user_unlocked_at=Subquery(
                mine.values("unlocked_at")[:1], output_field=DateTimeField()
            ),
        )
        .annotate(
            user_unlocked=ExpressionWrapper(
                Q(user_unlocked_at__isnull=False), output_field=BooleanField()
            )
        )
        .order_by("category", "threshold", "id")
    )


def achievement_unlocked_count(*, user: User) -> int:
    return UserAchievement.objects.for_user(user).unlocked().count()
