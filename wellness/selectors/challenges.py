"""Challenge reads: the catalogue with the user's state, the user's own
challenges, the leaderboard, and the in-window measures progress comes from."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db.models import (
    Count,
    DateTimeField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber

from journal.models import GratitudeEntry, JournalEntry, MoodEntry
from kaya.timeutils import local_today
from wellness.models import (
    Challenge,
    ChallengeGoal,
    ChallengeParticipant,
    WellnessSession,
)

if TYPE_CHECKING:
    from accounts.models import User

Goal = ChallengeGoal

# Where each goal is counted: every source stores the user's local date of the
# activity (``local_date``), so a window is a plain range of local dates.
GOAL_SOURCE: dict[str, str] = {
    Goal.SESSIONS_COMPLETED: "sessions",
    Goal.SECONDS_PRACTISED: "sessions",
    Goal.PRACTICE_DAYS: "sessions",
    Goal.JOURNAL_ENTRIES: "journal",
    Goal.GRATITUDE_ENTRIES: "gratitude",
    Goal.MOOD_LOGS: "mood",
}


def _source_rows(source: str, user: User) -> QuerySet[Any]:
    if source == "sessions":
        return WellnessSession.objects.completed().for_user(user)
    if source == "journal":
        return JournalEntry.objects.filter(user=user)
    if source == "gratitude":
        return GratitudeEntry.objects.filter(user=user)
    return MoodEntry.objects.filter(user=user)


def _in_window(challenge: Challenge) -> Any:
    window = Q(local_date__gte=challenge.start_date, local_date__lte=challenge.end_date)
    if challenge.goal_kind == Goal.SECONDS_PRACTISED:
        return Coalesce(Sum("actual_duration_seconds", filter=window), 0)
    if challenge.goal_kind == Goal.PRACTICE_DAYS:
        return Count("local_date", filter=window, distinct=True)
    return Count("id", filter=window)


def challenge_measures(
    *, user: User, participants: Iterable[ChallengeParticipant]
) -> dict[int, int]:
    """Each participation's value (by participant id) counted in the database
    over its challenge's window of local dates: one aggregate query per source
    (sessions, journal, gratitude, mood), whatever the number of challenges.
    Reads ``participant.challenge``: select it with the rows."""
    wanted: dict[str, dict[str, Any]] = defaultdict(dict)
    for participant in participants:
        challenge = participant.challenge
        source = GOAL_SOURCE[challenge.goal_kind]
        wanted[source][f"p{participant.pk}"] = _in_window(challenge)
    values: dict[int, int] = {}
    for source, aggregates in wanted.items():
        row = _source_rows(source, user).aggregate(**aggregates)
        values.update({int(key[1:]): value or 0 for key, value in row.items()})
    return values


def _with_user_state(
    challenges: QuerySet[Challenge], user: User
) -> QuerySet[Challenge]:
    """Annotate every participant count and the user's own participation: one
    query per page, whatever its size."""
    mine = ChallengeParticipant.objects.for_user(user).filter(challenge=OuterRef("pk"))
    counts = (
        ChallengeParticipant.objects.filter(challenge=OuterRef("pk"))
        .order_by()
        .values("challenge")
        .annotate(total=Count("id"))
        .values("total")
    )
    return challenges.annotate(
        participants_count=Coalesce(
            Subquery(counts, output_field=IntegerField()), Value(0)
        ),
        user_progress=Coalesce(
            Subquery(mine.values("progress")[:1], output_field=IntegerField()),
            Value(0),
        ),
        user_joined_at=Subquery(
            mine.values("joined_at")[:1], output_field=DateTimeField()
        ),
        user_completed_at=Subquery(
            mine.values("completed_at")[:1], output_field=DateTimeField()
        ),
    )


def challenge_list(*, user: User, goal_kind: str | None = None) -> QuerySet[Challenge]:
    """Active challenges that have not ended on the user's local today
    (ongoing and upcoming), soonest first, with the user's state."""
    today = local_today(user.timezone)
    challenges = Challenge.objects.active().filter(end_date__gte=today)
    if goal_kind:
        challenges = challenges.filter(goal_kind=goal_kind)
    return _with_user_state(challenges, user).order_by("start_date", "id")


def challenge_my_list(*, user: User) -> QuerySet[Challenge]:
    """The active challenges the user joined (ended ones included), last
    joined first, with the user's state."""
    mine = ChallengeParticipant.objects.for_user(user).filter(challenge=OuterRef("pk"))
    return _with_user_state(
        Challenge.objects.active().filter(Exists(mine)), user
    ).order_by(F("user_joined_at").desc(), "-id")


def challenge_detail_queryset() -> QuerySet[Challenge]:
    """Challenges a user may act on (join, leave, leaderboard): every active
    one, ended ones included, so joining one late is refused with its code
    rather than not found."""
    return Challenge.objects.active()


def challenge_with_user_state(*, user: User, challenge: Challenge) -> Challenge:
    return _with_user_state(Challenge.objects.filter(pk=challenge.pk), user).get()


def challenge_participation_list(*, user: User) -> QuerySet[ChallengeParticipant]:
    """The user's own participations (another user's is never found)."""
    return ChallengeParticipant.objects.for_user(user)


def challenge_leaderboard(*, challenge: Challenge) -> QuerySet[ChallengeParticipant]:
    """Participants by progress (then who completed first, then who joined
    first), with their display name and position. Users who opted out of
    leaderboards and closed accounts are left out, and their places go to the
    next. Carries no email or other account field."""
    order = [
        F("progress").desc(),
        F("completed_at").asc(nulls_last=True),
        F("joined_at").asc(),
        F("id").asc(),
    ]
    return (
        ChallengeParticipant.objects.filter(
            challenge=challenge,
            user__is_active=True,
            user__leaderboard_opt_out=False,
        )
        .annotate(
            display_name=F("user__display_name"),
            rank=Window(RowNumber(), order_by=order),
        )
        .only("id", "user_id", "challenge_id", "progress", "joined_at", "completed_at")
        .order_by(*order)
    )
