"""Wellness workflows, one module per entity: ``sessions``, ``programs``,
``streaks``, ``achievements``, ``challenges``, ``events``. Services are
keyword-only and atomic; pushes, notifications and domain events happen after
commit. ``from wellness import services`` gives every public name."""

from wellness.services.achievements import (
    RecomputeBatch,
    achievements_evaluate,
    achievements_recompute_batch,
)
from wellness.services.challenges import (
    challenge_join,
    challenge_leave,
    challenge_progress_refresh,
)
from wellness.services.events import (
    AttendanceResult,
    event_attendance_mark,
    event_register,
    event_registration_cancel,
    event_seats_fill,
    event_time_changed,
)
from wellness.services.programs import (
    PROGRAM_DAY_READY_AT,
    enrollment_day_complete,
    program_catalog_changed,
    program_days_problem,
    program_enroll,
    program_publish_problems,
    program_publish_set,
)
from wellness.services.sessions import (
    session_abandon,
    session_complete,
    session_create,
    session_progress_update,
)
from wellness.services.streaks import streak_recompute, streak_record_activity
from wellness.services.subscriptions import wellness_subscribe

__all__ = [
    "PROGRAM_DAY_READY_AT",
    "AttendanceResult",
    "RecomputeBatch",
    "achievements_evaluate",
    "achievements_recompute_batch",
    "challenge_join",
    "challenge_leave",
    "challenge_progress_refresh",
    "enrollment_day_complete",
    "event_attendance_mark",
    "event_register",
    "event_registration_cancel",
    "event_seats_fill",
    "event_time_changed",
    "program_catalog_changed",
    "program_days_problem",
    "program_enroll",
    "program_publish_problems",
    "program_publish_set",
    "session_abandon",
    "session_complete",
    "session_create",
    "session_progress_update",
    "streak_recompute",
    "streak_record_activity",
    "wellness_subscribe",
]
