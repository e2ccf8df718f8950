"""Wellness reads, one module per entity: ``sessions``, ``streaks``,
``programs``, ``analytics``, ``achievements``, ``challenges``, ``events``. Every
read of user data starts from ``for_user()``. ``from wellness import selectors``
gives every public name."""

from wellness.selectors._shared import week_bounds
from wellness.selectors.achievements import (
    AchievementMeasures,
    achievement_available_list,
    achievement_measures,
    achievement_rules_for,
    achievement_unlocked_count,
    achievement_unlocked_list,
)
from wellness.selectors.analytics import (
    analytics_activity_breakdown,
    analytics_correlations,
    analytics_dashboard,
    analytics_mood_trends,
)
from wellness.selectors.challenges import (
    challenge_detail_queryset,
    challenge_leaderboard,
    challenge_list,
    challenge_measures,
    challenge_my_list,
    challenge_participation_list,
    challenge_with_user_state,
)
from wellness.selectors.events import (
    event_detail_queryset,
    event_list,
    event_next_for_user,
    event_registration_list,
)
from wellness.selectors.programs import (
    content_languages,
    enrollment_day_states,
    enrollment_for_program,
    enrollment_list,
    program_content_visible,
    program_detail_context,
    program_detail_queryset,
    program_list,
)
from wellness.selectors.sessions import (
    session_completion_context,
    session_list,
    session_program_day_counted,
    session_rows,
    session_stats,
    wellness_user_stats,
)
from wellness.selectors.streaks import streak_fields, streak_for_user

__all__ = [
    "AchievementMeasures",
    "achievement_available_list",
    "achievement_measures",
    "achievement_rules_for",
    "achievement_unlocked_count",
    "achievement_unlocked_list",
    "analytics_activity_breakdown",
    "analytics_correlations",
    "analytics_dashboard",
    "analytics_mood_trends",
    "challenge_detail_queryset",
    "challenge_leaderboard",
    "challenge_list",
    "challenge_measures",
    "challenge_my_list",
    "challenge_participation_list",
    "challenge_with_user_state",
    "content_languages",
    "enrollment_day_states",
    "enrollment_for_program",
    "enrollment_list",
    "event_detail_queryset",
    "event_list",
    "event_next_for_user",
    "event_registration_list",
    "program_content_visible",
    "program_detail_context",
    "program_detail_queryset",
    "program_list",
    "session_completion_context",
    "session_list",
    "session_program_day_counted",
    "session_rows",
    "session_stats",
    "streak_fields",
    "streak_for_user",
    "week_bounds",
    "wellness_user_stats",
]
