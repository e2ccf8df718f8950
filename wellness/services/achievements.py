"""The one achievement engine: measure, record progress, unlock once, notify.

It subscribes (from ``WellnessConfig.ready()``) to the domain events the
wellness and journal apps publish after commit. Each event names the rule kinds
it can move; the engine then counts those kinds from the database rather than
adding one, so a redelivered or replayed event changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.dispatch import Signal
from django.utils import timezone

from journal import events as journal_events
from kaya.rollups import user_reads_changed
from notifications.models import Notification
from notifications.services import notification_create
from wellness import events as wellness_events
from wellness.models import Achievement, AchievementRule, UserAchievement
from wellness.selectors.achievements import (
    achievement_measures,
    achievement_rules_for,
)

if TYPE_CHECKING:
    from accounts.models import User

Kind = AchievementRule

# Which rule kinds each domain event can move.
SUBSCRIPTIONS: tuple[tuple[str, Signal, frozenset[str]], ...] = (
    (
        "session_completed",
        wellness_events.session_completed,
        frozenset(
            {
                Kind.SESSIONS_COMPLETED,
                Kind.SECONDS_PRACTISED,
                Kind.STREAK_DAYS,
                Kind.FIRST_OF_TYPE,
            }
        ),
    ),
    (
        "streak_freeze_earned",
        wellness_events.streak_freeze_earned,
        frozenset({Kind.STREAK_DAYS}),
    ),
    (
        "program_completed",
        wellness_events.program_completed,
        frozenset({Kind.PROGRAMS_COMPLETED}),
    ),
    (
        "challenge_completed",
        wellness_events.challenge_completed,
        frozenset({Kind.CHALLENGES_COMPLETED}),
    ),
    (
        "event_attended",
        wellness_events.event_attended,
        frozenset({Kind.EVENTS_ATTENDED}),
    ),
    ("entry_created", journal_events.entry_created, frozenset({Kind.JOURNAL_ENTRIES})),
    (
        "gratitude_created",
        journal_events.gratitude_created,
        frozenset({Kind.GRATITUDE_ENTRIES}),
    ),
    ("mood_logged", journal_events.mood_logged, frozenset({Kind.MOOD_LOGS})),
)


def _notify_unlocked(*, user: User, achievement: Achievement) -> None:
    # Celebrates what was done; never mentions what was missed or broken.
    notification_create(
        user=user,
        type=Notification.Type.ACHIEVEMENT_UNLOCKED,
        title=f"You earned an achievement: {achievement.name}",
        body=achievement.description or "A small milestone, yours to keep.",
        data={"achievement_id": achievement.pk, "code": achievement.code},
    )


@transaction.atomic
def achievements_evaluate(
    *, user: User, kinds: Iterable[str] | None = None, notify: bool = True
) -> list[Achievement]:
    """Bring the user's progress on the active achievements of ``kinds`` (all
    kinds when None) up to date and unlock those whose threshold is reached.
    Returns the achievements this call unlocked.

    Idempotent and safe when two events for one user arrive at once: rows are
    inserted with ON CONFLICT DO NOTHING on (user, achievement), and an unlock
    is a conditional update on ``unlocked_at IS NULL``, so of two racing calls
    exactly one unlocks (the other's update matches no row once the first
    commits). An unlock is never taken back, and its progress stays at the
    threshold.

    Side effects: an ``achievement_unlocked`` notification per unlock when
    ``notify`` (live push and email per the user's preferences, after commit).
    """
    rules = achievement_rules_for(user=user)
    if kinds is not None:
        rules = rules.filter(rule_kind__in=list(kinds))
    achievements = list(rules)
    if not achievements:
        return []
    measures = achievement_measures(
        user=user, kinds={achievement.rule_kind for achievement in achievements}
    )
    stored = {
        row["achievement_id"]: row
        for row in UserAchievement.objects.for_user(user)
        .filter(achievement__in=achievements)
        .values("achievement_id", "progress", "unlocked_at")
    }
    values = {
        achievement.pk: min(measures.value(achievement), achievement.threshold)
        for achievement in achievements
    }
    missing = [
        UserAchievement(user=user, achievement=achievement)
        for achievement in achievements
        if achievement.pk not in stored and values[achievement.pk] > 0
    ]
    if missing:
        UserAchievement.objects.bulk_create(missing, ignore_conflicts=True)
    now = timezone.now()
    unlocked = []
    for achievement in achievements:
        row = stored.get(achievement.pk)
        value = values[achievement.pk]
        if row is not None and row["unlocked_at"] is not None:
            continue
        pending = UserAchievement.objects.filter(
            user=user, achievement=achievement, unlocked_at__isnull=True
        )
        if value >= achievement.threshold:
            if pending.update(progress=value, unlocked_at=now, updated_at=now):
                unlocked.append(achievement)
        elif value != (row["progress"] if row is not None else 0):
            pending.update(progress=value, updated_at=now)
    if unlocked:
        user_reads_changed(user.pk)  # the achievements count in /users/me/stats
    if notify:
        for achievement in unlocked:
            _notify_unlocked(user=user, achievement=achievement)
    return unlocked


def achievements_due(kinds: Iterable[str]) -> Exists:
    """Whether the user (``OuterRef("pk")`` of a user query) has an active
    achievement of ``kinds`` still to unlock: the gate of the event receiver
    (``wellness.services.subscriptions``). Most events (a mood logged, an entry
    written) find none, and evaluating would then change nothing (an unlocked
    one is skipped). A rule added later is applied by
    achievements_recompute_batch."""
    return Exists(
        Achievement.objects.active()
        .filter(rule_kind__in=list(kinds))
        .exclude(
            Exists(
                UserAchievement.objects.unlocked().filter(
                    achievement=OuterRef("pk"), user_id=OuterRef(OuterRef("pk"))
                )
            )
        )
    )


@dataclass(frozen=True)
class RecomputeBatch:
    users_count: int
    last_user_id: int | None
    unlocked_count: int


@transaction.atomic
def achievements_recompute_batch(
    *, after_user_id: int, batch_size: int, notify: bool = False
) -> RecomputeBatch:
    """Re-evaluate every rule for the next ``batch_size`` active users with an
    id above ``after_user_id`` (one transaction per batch, so a run can resume
    from the last id it reported). For staff after adding or changing a rule.

    Side effects: only with ``notify``, the unlock notifications (a new rule
    can unlock for many users at once; by default they find it in the app).
    """
    from accounts.models import User

    users = list(
        User.objects.filter(pk__gt=after_user_id, is_active=True).order_by("pk")[
            :batch_size
        ]
    )
    unlocked = 0
    for user in users:
        unlocked += len(achievements_evaluate(user=user, notify=notify))
    return RecomputeBatch(
        users_count=len(users),
        last_user_id=users[-1].pk if users else None,
        unlocked_count=unlocked,
    )
