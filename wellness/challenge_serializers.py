"""Challenge shapes. ``goal_target`` and ``current_value`` are in the unit of
``goal_kind``: seconds for seconds_practised, days for practice_days, a count
otherwise. The window is ``date_from`` to ``date_to``, both inclusive, in the
user's local dates."""

from __future__ import annotations

from datetime import date
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from wellness.models import Challenge, ChallengeGoal, ChallengeParticipant

# Shown for a participant who never set a display name (never their email).
ANONYMOUS_NAME = "KAYA member"


class ChallengePhase:
    UPCOMING = "upcoming"
    ONGOING = "ongoing"
    ENDED = "ended"
    choices = (
        (UPCOMING, "Upcoming"),
        (ONGOING, "Ongoing"),
        (ENDED, "Ended"),
    )


def _percent(value: int, target: int, completed: bool) -> int:
    return 100 if completed else min(100, value * 100 // target)


class ChallengeListInput(serializers.Serializer):
    goal_kind = serializers.ChoiceField(
        choices=ChallengeGoal.choices, required=False, help_text="Only this goal."
    )


class ChallengeOutput(serializers.ModelSerializer):
    """A challenge with its participant count and my state in it. Read from the
    challenge selectors (their annotations); ``today`` (my local date) in the
    context."""

    goal_kind = serializers.ChoiceField(choices=ChallengeGoal.choices, read_only=True)
    date_from = serializers.DateField(
        source="start_date", read_only=True, help_text="First day (local date)."
    )
    date_to = serializers.DateField(
        source="end_date", read_only=True, help_text="Last day (local date)."
    )
    phase = serializers.SerializerMethodField()
    participants_count = serializers.IntegerField(read_only=True)
    joined = serializers.SerializerMethodField()
    current_value = serializers.IntegerField(
        source="user_progress",
        read_only=True,
        help_text="My value toward `goal_target` inside the window, capped at "
        "it; 0 when I have not joined.",
    )
    progress_percent = serializers.SerializerMethodField()
    completed = serializers.SerializerMethodField()
    joined_at = serializers.DateTimeField(
        source="user_joined_at", read_only=True, allow_null=True
    )
    completed_at = serializers.DateTimeField(
        source="user_completed_at", read_only=True, allow_null=True
    )

    class Meta:
        model = Challenge
        fields = (
            "id",
            "slug",
            "title",
            "description",
            "goal_kind",
            "goal_target",
            "date_from",
            "date_to",
            "phase",
            "is_premium",
            "participants_count",
            "joined",
            "current_value",
            "progress_percent",
            "completed",
            "joined_at",
            "completed_at",
        )
        read_only_fields = fields

    @extend_schema_field(
        serializers.ChoiceField(
            choices=ChallengePhase.choices,
            help_text="Where my local today is against the window.",
        )
    )
    def get_phase(self, challenge: Any) -> str:
        today: date = self.context["today"]
        if today < challenge.start_date:
            return ChallengePhase.UPCOMING
        if today > challenge.end_date:
            return ChallengePhase.ENDED
        return ChallengePhase.ONGOING

    def get_joined(self, challenge: Any) -> bool:
        return challenge.user_joined_at is not None

    def get_completed(self, challenge: Any) -> bool:
        return challenge.user_completed_at is not None

    def get_progress_percent(self, challenge: Any) -> int:
        return _percent(
            challenge.user_progress,
            challenge.goal_target,
            challenge.user_completed_at is not None,
        )


class ChallengeLeaderboardEntryOutput(serializers.ModelSerializer):
    """One place on a challenge's leaderboard: a display name, never an email.
    Read from ``challenge_leaderboard``; ``challenge`` and ``user`` (the
    viewer) in the context."""

    rank = serializers.IntegerField(read_only=True, help_text="1 is the top.")
    display_name = serializers.SerializerMethodField()
    current_value = serializers.IntegerField(source="progress", read_only=True)
    progress_percent = serializers.SerializerMethodField()
    completed = serializers.SerializerMethodField()
    is_me = serializers.SerializerMethodField()

    class Meta:
        model = ChallengeParticipant
        fields = (
            "rank",
            "display_name",
            "current_value",
            "progress_percent",
            "completed",
            "completed_at",
            "is_me",
        )
        read_only_fields = fields

    def get_display_name(self, participant: Any) -> str:
        return participant.display_name or ANONYMOUS_NAME

    def get_progress_percent(self, participant: Any) -> int:
        return _percent(
            participant.progress,
            self.context["challenge"].goal_target,
            participant.completed_at is not None,
        )

    def get_completed(self, participant: Any) -> bool:
        return participant.completed_at is not None

    def get_is_me(self, participant: Any) -> bool:
        return bool(participant.user_id == self.context["user"].pk)
