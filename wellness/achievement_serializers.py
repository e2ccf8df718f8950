"""Achievement output shapes (read-only). ``threshold`` and ``current_value``
are in the unit of ``rule_kind``: seconds for seconds_practised, days for
streak_days, a count otherwise."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from wellness.models import (
    Achievement,
    AchievementRule,
    UserAchievement,
)


class UnlockedAchievementOutput(serializers.ModelSerializer):
    """An achievement the user has unlocked."""

    id = serializers.IntegerField(source="achievement.id", read_only=True)
    code = serializers.CharField(source="achievement.code", read_only=True)
    name = serializers.CharField(source="achievement.name", read_only=True)
    description = serializers.CharField(
        source="achievement.description", read_only=True
    )
    icon = serializers.CharField(source="achievement.icon", read_only=True)
    category = serializers.ChoiceField(
        source="achievement.category",
        choices=Achievement.Category.choices,
        read_only=True,
    )
    points = serializers.IntegerField(source="achievement.points", read_only=True)

    class Meta:
        model = UserAchievement
        fields = (
            "id",
            "code",
            "name",
            "description",
            "icon",
            "category",
            "points",
            "unlocked_at",
        )
        read_only_fields = fields


class AchievementOutput(serializers.ModelSerializer):
    """An active achievement with the user's progress toward it. Read from
    ``achievement_available_list`` (its annotations)."""

    current_value = serializers.IntegerField(
        source="user_progress",
        read_only=True,
        help_text="The user's value toward `threshold`, capped at it.",
    )
    progress_percent = serializers.SerializerMethodField()
    unlocked = serializers.BooleanField(source="user_unlocked", read_only=True)
    unlocked_at = serializers.DateTimeField(
        source="user_unlocked_at", read_only=True, allow_null=True
    )
    rule_kind = serializers.ChoiceField(choices=AchievementRule.choices, read_only=True)
    session_type = serializers.SerializerMethodField(
        help_text="For first_of_type: the session type (as in sessions); null "
        "otherwise."
    )

    class Meta:
        model = Achievement
        fields = (
            "id",
            "code",
            "name",
            "description",
            "icon",
            "category",
            "points",
            "rule_kind",
            "threshold",
            "session_type",
            "current_value",
            "progress_percent",
            "unlocked",
            "unlocked_at",
        )
        read_only_fields = fields

    # A nullable string rather than a nullable enum: the schema's NullEnum
    # member would make the name's type differ from the other session_type.
    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_session_type(self, achievement: Any) -> str | None:
        return achievement.session_type or None

    def get_progress_percent(self, achievement: Any) -> int:
        if achievement.user_unlocked:
            return 100
        return min(100, achievement.user_progress * 100 // achievement.threshold)
