"""Challenges: join, leave, and progress from the same domain events as the
achievements.

Progress is counted from the database over the challenge's window of local
dates, never incremented, so a redelivered or replayed event changes nothing.
A completion is a conditional update on ``completed_at IS NULL``: of two
events racing for one participation exactly one completes it, notifies and
publishes ``challenge_completed``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.dispatch import Signal
from django.utils import timezone

from journal import events as journal_events
from kaya.events import publish
from kaya.timeutils import local_today
from notifications.models import Notification
from notifications.services import notification_create
from wellness import events as wellness_events
from wellness.exceptions import (
    ChallengeCompletedLeaveError,
    ChallengeEndedError,
    ChallengePremiumRequiredError,
)
from wellness.models import Challenge, ChallengeGoal, ChallengeParticipant
from wellness.selectors.challenges import challenge_measures

if TYPE_CHECKING:
    from accounts.models import User

Goal = ChallengeGoal

# Which goal kinds each domain event can move.
SUBSCRIPTIONS: tuple[tuple[str, Signal, frozenset[str]], ...] = (
    (
        "session_completed",
        wellness_events.session_completed,
        frozenset(
            {Goal.SESSIONS_COMPLETED, Goal.SECONDS_PRACTISED, Goal.PRACTICE_DAYS}
        ),
    ),
    ("entry_created", journal_events.entry_created, frozenset({Goal.JOURNAL_ENTRIES})),
    (
        "gratitude_created",
        journal_events.gratitude_created,
        frozenset({Goal.GRATITUDE_ENTRIES}),
    ),
    ("mood_logged", journal_events.mood_logged, frozenset({Goal.MOOD_LOGS})),
)


def _notify_completed(*, participant: ChallengeParticipant) -> None:
    # Celebrates what was done; never compares with anyone else.
    challenge = participant.challenge
    notification_create(
        user=participant.user,
        type=Notification.Type.CHALLENGE_COMPLETED,
        title=f"You completed a challenge: {challenge.title}",
        body="Every step you took counted. Well done for showing up for yourself.",
        data={"challenge_id": challenge.pk, "slug": challenge.slug},
    )


def _progress_record(
    participants: list[ChallengeParticipant], user: User
) -> list[ChallengeParticipant]:
    """Count each participation's window and store it; returns the ones this
    call completed."""
    if not participants:
        return []
    measures = challenge_measures(user=user, participants=participants)
    now = timezone.now()
    completed = []
    for participant in participants:
        target = participant.challenge.goal_target
        value = min(measures.get(participant.pk, 0), target)
        # Only upward: a slower racing event that counted fewer rows never
        # writes its older, smaller value over a newer one.
        pending = ChallengeParticipant.objects.filter(
            pk=participant.pk, completed_at__isnull=True, progress__lt=value
        )
        if value >= target:
            if pending.update(progress=value, completed_at=now, updated_at=now):
                participant.progress, participant.completed_at = value, now
                completed.append(participant)
        elif value > participant.progress and pending.update(
            progress=value, updated_at=now
        ):
            participant.progress = value
    for participant in completed:
        participant.user = user
        _notify_completed(participant=participant)
        publish(
            wellness_events.challenge_completed,
            sender=ChallengeParticipant,
            user_id=user.pk,
            challenge_id=participant.challenge_id,
            participant_id=participant.pk,
        )
    return completed


@transaction.atomic
def challenge_progress_refresh(
    *, user: User, kinds: Iterable[str] | None = None
) -> list[ChallengeParticipant]:
    """Bring the user's open participations (active challenges, not completed;
    only goals of ``kinds`` when given) up to date from the database and
    complete those whose target is reached. Returns the participations this
    call completed.

    Idempotent and safe when two events for one user arrive at once (see the
    module docstring); progress never goes down and a completion is never
    taken back.

    Side effects, per completion: a ``challenge_completed`` notification (live
    push and email per the user's preferences) and the
    ``wellness.events.challenge_completed`` event, both after commit.
    """
    participants = (
        ChallengeParticipant.objects.for_user(user)
        .filter(completed_at__isnull=True, challenge__is_active=True)
        .select_related("challenge")
    )
    if kinds is not None:
        participants = participants.filter(challenge__goal_kind__in=list(kinds))
    return _progress_record(list(participants), user)


@transaction.atomic
def challenge_join(
    *, user: User, challenge: Challenge
) -> tuple[ChallengeParticipant, bool]:
    """Join a challenge; idempotent (a second call returns the first
    participation with ``created=False``, even after the end date). Refuses
    a challenge whose end date is past on the user's local today with
    ``challenge_ended`` (409) and a premium challenge for a free account with
    ``premium_required`` (403), as premium programs do. Activity already in
    the window counts at once.

    Side effects: if that activity already reaches the target, the completion
    notification and event (after commit).
    """
    existing = ChallengeParticipant.objects.for_user(user).filter(challenge=challenge)
    found = existing.first()
    if found is not None:
        return found, False
    if local_today(user.timezone) > challenge.end_date:
        raise ChallengeEndedError()
    if challenge.is_premium and not user.is_premium:
        raise ChallengePremiumRequiredError()
    try:
        with transaction.atomic():
            participant = ChallengeParticipant.objects.create(
                user=user, challenge=challenge
            )
    except IntegrityError:
        # A concurrent join of the same user won.
        return existing.get(), False
    _progress_record([participant], user)
    return participant, True


@transaction.atomic
def challenge_leave(*, participant: ChallengeParticipant) -> None:
    """Leave a challenge not yet completed (the participation and its progress
    are deleted; joining again counts the window afresh). A completed one is
    kept: ``challenge_completed`` (409), so leaving and re-joining can never
    celebrate the same challenge twice. Side effects: none."""
    # Conditional, so a completion racing with the leave wins cleanly: either
    # the row was still open and is gone, or it completed and is refused.
    deleted, _ = ChallengeParticipant.objects.filter(
        pk=participant.pk, completed_at__isnull=True
    ).delete()
    if not deleted and ChallengeParticipant.objects.filter(pk=participant.pk).exists():
        raise ChallengeCompletedLeaveError()


def challenges_due(kinds: Iterable[str]) -> Exists:
    """Whether the user (``OuterRef("pk")`` of a user query) has an open
    participation in an active challenge with a goal of ``kinds``: the gate of
    the event receiver (``wellness.services.subscriptions``). Most events (a
    mood logged, a session completed) find none. A participation joined
    meanwhile counts this activity on its own (challenge_join records the
    window's progress)."""
    return Exists(
        ChallengeParticipant.objects.filter(
            user_id=OuterRef("pk"),
            completed_at__isnull=True,
            challenge__is_active=True,
            challenge__goal_kind__in=list(kinds),
        )
    )
