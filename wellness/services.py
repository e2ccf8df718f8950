"""Wellness workflows: sessions, streaks, programs.

Services are keyword-only and atomic; pushes, notifications and domain events
are queued with ``transaction.on_commit``.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from datetime import date, time, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from kaya.exceptions import ApplicationError, ConflictError, ForbiddenError
from kaya.idempotency import create_once
from kaya.timeutils import at_local_time, local_date, local_today
from notifications import realtime
from notifications.models import Notification
from notifications.services import notification_create, notification_schedule
from wellness import events
from wellness.cache import program_catalog_invalidate
from wellness.models import (
    MAX_SESSION_SECONDS,
    ProgramDay,
    ProgramDayProgress,
    ProgramEnrollment,
    Streak,
    WellnessProgram,
    WellnessSession,
)
from wellness.streaks import StreakState, streak_advance, streak_fold, streak_state

logger = logging.getLogger(__name__)

# The local wall-clock time a newly unlocked program day is announced.
PROGRAM_DAY_READY_AT = time(8, 0)


class SessionNotInProgressError(ConflictError):
    code = "session_not_in_progress"
    message = "This session is already completed or abandoned."


class PremiumRequiredError(ForbiddenError):
    code = "premium_required"
    message = "This program is part of KAYA Premium. Upgrade to enroll."


class ProgramDayLockedError(ConflictError):
    code = "program_day_locked"
    message = (
        "This day is not unlocked yet: finish the previous day, and come back "
        "the next day."
    )


def _validation_error(field: str, message: str) -> ApplicationError:
    return ApplicationError(
        "The request is not valid; see fields.",
        code="validation_error",
        fields={field: [message]},
    )


# ---------------------------------------------------------------------------
# Streaks
# ---------------------------------------------------------------------------
def _store(streak: Streak, state: StreakState) -> None:
    streak.current_length = state.current
    streak.longest_length = state.longest
    streak.last_active_date = state.last_active
    streak.freezes_banked = state.banked
    streak.freezes_used = state.used
    streak.save(
        update_fields=[
            "current_length",
            "longest_length",
            "last_active_date",
            "freezes_banked",
            "freezes_used",
            "updated_at",
        ]
    )


def _completed_days(user: Any) -> Iterable[date]:
    # One row per distinct local date: O(days of history), not O(sessions).
    return (
        WellnessSession.objects.for_user(user)
        .completed()
        .order_by("local_date")
        .values_list("local_date", flat=True)
        .distinct()
    )


@transaction.atomic
def streak_record_activity(*, user: Any, day: date) -> tuple[Streak, bool]:
    """Fold a completion on local date ``day`` into the user's stored streak.

    A day after the last active day advances the streak in O(1); the same day
    changes nothing; an earlier day (after a time-zone change westwards) refolds
    the stored history. Returns the streak and whether a freeze was earned.
    Side effects: none (the caller publishes).
    """
    Streak.objects.get_or_create(user=user)
    # Two sessions completing at once (two devices) would both advance the
    # streak from the same state: serialise them on the user's streak row.
    streak = Streak.objects.select_for_update().get(user=user)
    last = streak.last_active_date
    if last is not None and day == last:
        return streak, False
    if last is not None and day < last:
        _store(streak, streak_fold(_completed_days(user)))
        return streak, False
    state, earned = streak_advance(streak_state(streak), day)
    _store(streak, state)
    return streak, earned


@transaction.atomic
def streak_recompute(*, user: Any) -> Streak:
    """Rebuild the stored streak from every completed day (repair tool)."""
    Streak.objects.get_or_create(user=user)
    streak = Streak.objects.select_for_update().get(user=user)
    _store(streak, streak_fold(_completed_days(user)))
    return streak


# ---------------------------------------------------------------------------
# Sessions
# ---------------------------------------------------------------------------
def _resolve_program_day(
    *, user: Any, enrollment_id: int | None, program_day_id: int | None
) -> tuple[ProgramEnrollment | None, ProgramDay | None]:
    if enrollment_id is None and program_day_id is None:
        return None, None
    if enrollment_id is None:
        raise _validation_error("enrollment_id", "A program day needs its enrollment.")
    # Another user's enrollment reads exactly like a missing one.
    enrollment = (
        ProgramEnrollment.objects.for_user(user).filter(pk=enrollment_id).first()
    )
    if enrollment is None:
        raise _validation_error("enrollment_id", "No such enrollment.")
    if program_day_id is None:
        return enrollment, None
    day = ProgramDay.objects.filter(
        pk=program_day_id, program_id=enrollment.program_id
    ).first()
    if day is None:
        raise _validation_error("program_day_id", "No such day in this program.")
    return enrollment, day


@transaction.atomic
def session_create(
    *,
    user: Any,
    type: str,
    title: str,
    planned_duration_seconds: int,
    client_id: uuid.UUID | None = None,
    enrollment_id: int | None = None,
    program_day_id: int | None = None,
    generated_content_id: str = "",
    mood_before: int | None = None,
) -> tuple[WellnessSession, bool]:
    """Start a session. Idempotent per ``client_id``: a retry returns the session
    created first and ``created=False``. Side effects: none.
    """

    def create() -> WellnessSession:
        enrollment, day = _resolve_program_day(
            user=user, enrollment_id=enrollment_id, program_day_id=program_day_id
        )
        now = timezone.now()
        return WellnessSession.objects.create(
            user=user,
            type=type,
            title=title,
            planned_duration_seconds=planned_duration_seconds,
            client_id=client_id,
            enrollment=enrollment,
            program_day=day,
            generated_content_id=generated_content_id,
            mood_before=mood_before,
            started_at=now,
            local_date=local_date(now, user.timezone),
        )

    return create_once(
        model=WellnessSession, user=user, client_id=client_id, create=create
    )


def _lock_in_progress(session: WellnessSession) -> WellnessSession:
    # Two devices may finish (or abandon) the same session at once: lock the
    # row and re-read its status so only one of them wins.
    locked = WellnessSession.objects.select_for_update().get(pk=session.pk)
    if locked.status != WellnessSession.Status.IN_PROGRESS:
        raise SessionNotInProgressError()
    return locked


@transaction.atomic
def session_complete(
    *,
    session: WellnessSession,
    actual_duration_seconds: int,
    mood_after: int | None = None,
    notes: str = "",
) -> tuple[WellnessSession, Streak]:
    """Complete a session: record it, advance the streak and any program day.

    Side effects (after commit): ``session.completed`` realtime push to the
    user's sockets, the ``wellness.events.session_completed`` domain event, and
    when a streak freeze is earned (not in gentle mode) a notification.
    Raises ``SessionNotInProgressError`` (409) on a second completion.
    """
    if not 1 <= actual_duration_seconds <= MAX_SESSION_SECONDS:
        raise _validation_error(
            "actual_duration_seconds",
            f"Must be between 1 and {MAX_SESSION_SECONDS} seconds.",
        )
    locked = _lock_in_progress(session)
    user = session.user
    now = timezone.now()
    locked.status = WellnessSession.Status.COMPLETED
    locked.actual_duration_seconds = actual_duration_seconds
    locked.progress_seconds = actual_duration_seconds
    locked.mood_after = mood_after
    locked.notes = notes
    locked.completed_at = now
    locked.local_date = local_date(now, user.timezone)
    locked.save(
        update_fields=[
            "status",
            "actual_duration_seconds",
            "progress_seconds",
            "mood_after",
            "notes",
            "completed_at",
            "local_date",
            # auto_now only reaches the database when listed (delta sync).
            "updated_at",
        ]
    )
    locked.user = user
    streak, freeze_earned = streak_record_activity(user=user, day=locked.local_date)

    if locked.enrollment_id is not None and locked.program_day_id is not None:
        enrollment = ProgramEnrollment.objects.get(pk=locked.enrollment_id)
        enrollment.user = user
        day_number = ProgramDay.objects.values_list("day_number", flat=True).get(
            pk=locked.program_day_id
        )
        try:
            # A savepoint: a day that is still locked leaves the session complete.
            with transaction.atomic():
                enrollment_day_complete(enrollment=enrollment, day_number=day_number)
        except ProgramDayLockedError:
            logger.info(
                "session %s completed a locked program day %s", locked.pk, day_number
            )

    payload: dict[str, Any] = {
        "session_id": locked.pk,
        "type": locked.type,
        "duration_seconds": actual_duration_seconds,
        "local_date": locked.local_date.isoformat(),
    }
    if not user.gentle_mode:
        payload["current_streak"] = streak.current_length
        payload["longest_streak"] = streak.longest_length
    user_id, session_id, session_type = user.pk, locked.pk, locked.type
    day, current = locked.local_date, streak.current_length
    transaction.on_commit(
        lambda: realtime.push_to_user(user_id, realtime.SESSION_COMPLETED, payload)
    )
    transaction.on_commit(
        lambda: events.session_completed.send_robust(
            sender=WellnessSession,
            user_id=user_id,
            session_id=session_id,
            session_type=session_type,
            duration_seconds=actual_duration_seconds,
            local_date=day,
            current_streak=current,
        )
    )
    if freeze_earned:
        longest = streak.longest_length
        transaction.on_commit(
            lambda: events.streak_freeze_earned.send_robust(
                sender=Streak,
                user_id=user_id,
                current_streak=current,
                longest_streak=longest,
            )
        )
        if not user.gentle_mode:
            notification_create(
                user=user,
                type=Notification.Type.SYSTEM,
                title="You earned a streak freeze",
                body=(f"{current} days in a row. A freeze will cover a day you miss."),
                data={"kind": "streak_freeze_earned", "current_streak": current},
                # An in-app nudge only: streak news is never worth an email.
                email=False,
            )
    return locked, streak


@transaction.atomic
def session_progress_update(
    *, session: WellnessSession, progress_seconds: int, device_id: str = ""
) -> WellnessSession:
    """Record live progress from a player.

    Side effects (after commit): ``session.progress`` to the user's sockets, with
    the sending ``device_id`` so that device can ignore its own echo.
    """
    if progress_seconds > MAX_SESSION_SECONDS:
        raise _validation_error(
            "progress_seconds", f"Must be at most {MAX_SESSION_SECONDS} seconds."
        )
    locked = _lock_in_progress(session)
    locked.progress_seconds = progress_seconds
    locked.save(update_fields=["progress_seconds", "updated_at"])
    payload = {
        "session_id": locked.pk,
        "progress_seconds": progress_seconds,
        "planned_duration_seconds": locked.planned_duration_seconds,
        "device_id": device_id,
    }
    user_id = locked.user_id
    transaction.on_commit(
        lambda: realtime.push_to_user(user_id, realtime.SESSION_PROGRESS, payload)
    )
    return locked


@transaction.atomic
def session_abandon(*, session: WellnessSession) -> WellnessSession:
    """Abandon a session in progress (409 otherwise). Side effects: none."""
    locked = _lock_in_progress(session)
    locked.status = WellnessSession.Status.ABANDONED
    locked.abandoned_at = timezone.now()
    locked.save(update_fields=["status", "abandoned_at", "updated_at"])
    return locked


# ---------------------------------------------------------------------------
# Programs
# ---------------------------------------------------------------------------
@transaction.atomic
def program_enroll(
    *, user: Any, program: WellnessProgram
) -> tuple[ProgramEnrollment, bool]:
    """Enroll in a published program; idempotent (a second call returns the
    first enrollment with ``created=False``). Premium programs refuse free-tier
    users with ``premium_required`` (403). Side effects: none (day 1 is unlocked
    at once).
    """
    existing = ProgramEnrollment.objects.filter(user=user, program=program).first()
    if existing is not None:
        return existing, False
    if program.is_premium and not user.is_premium:
        raise PremiumRequiredError()
    try:
        with transaction.atomic():
            enrollment = ProgramEnrollment.objects.create(user=user, program=program)
    except IntegrityError:
        return ProgramEnrollment.objects.get(user=user, program=program), False
    return enrollment, True


@transaction.atomic
def enrollment_day_complete(
    *, enrollment: ProgramEnrollment, day_number: int
) -> ProgramEnrollment:
    """Mark program day ``day_number`` done for the enrollment.

    Only the next unlocked day (or an already done, earlier day, which changes
    nothing) is accepted; a later or not yet unlocked day raises
    ``ProgramDayLockedError`` (409). Side effects (after commit): the
    ``program_day_completed`` / ``program_completed`` domain events; when a next
    day exists, a ``program_day_ready`` notification is scheduled for 08:00 on
    the user's next local day.
    """
    user = enrollment.user
    # The PATCH endpoint and a session completion may mark days at once: lock
    # the enrollment so the counters and the unlock date stay consistent.
    locked = ProgramEnrollment.objects.select_for_update().get(pk=enrollment.pk)
    program = WellnessProgram.objects.get(pk=locked.program_id)
    day = ProgramDay.objects.filter(program=program, day_number=day_number).first()
    if day is None:
        raise _validation_error("day_number", "This program has no such day.")
    if day_number <= locked.days_completed:
        return locked
    today = local_today(user.timezone)
    if day_number != locked.days_completed + 1 or not locked.next_day_unlocked(today):
        raise ProgramDayLockedError()

    now = timezone.now()
    ProgramDayProgress.objects.create(
        enrollment=locked,
        day=day,
        day_number=day_number,
        completed_at=now,
        local_date=today,
    )
    total = max(program.days_count, day_number)
    locked.days_completed = day_number
    locked.progress_percent = min(100, day_number * 100 // total)
    locked.last_completed_local_date = today
    finished = day_number >= total
    if finished:
        locked.completed_at = now
    locked.save(
        update_fields=[
            "days_completed",
            "progress_percent",
            "last_completed_local_date",
            "completed_at",
        ]
    )

    user_id, enrollment_id, program_id = user.pk, locked.pk, program.pk
    transaction.on_commit(
        lambda: events.program_day_completed.send_robust(
            sender=ProgramEnrollment,
            user_id=user_id,
            enrollment_id=enrollment_id,
            program_id=program_id,
            day_number=day_number,
        )
    )
    if finished:
        transaction.on_commit(
            lambda: events.program_completed.send_robust(
                sender=ProgramEnrollment,
                user_id=user_id,
                enrollment_id=enrollment_id,
                program_id=program_id,
            )
        )
    else:
        next_day = ProgramDay.objects.filter(
            program=program, day_number=day_number + 1
        ).first()
        if next_day is not None:
            notification_schedule(
                user=user,
                type=Notification.Type.PROGRAM_DAY_READY,
                title=f"Day {next_day.day_number} of {program.title} is ready",
                body=next_day.title,
                send_at=at_local_time(
                    today + timedelta(days=1), PROGRAM_DAY_READY_AT, user.timezone
                ),
                dedupe_key=f"program_day:{locked.pk}:{next_day.day_number}",
                data={
                    "program_id": program.pk,
                    "enrollment_id": locked.pk,
                    "day_number": next_day.day_number,
                },
            )
    return locked


@transaction.atomic
def program_catalog_changed(*, program_ids: Iterable[int]) -> None:
    """Staff changed programs or their days (the admin calls this).

    Refreshes each program's stored day count and, after commit, invalidates
    the cached published catalogue.
    """
    for program_id in set(program_ids):
        WellnessProgram.objects.filter(pk=program_id).update(
            days_count=ProgramDay.objects.filter(program_id=program_id).count()
        )
    transaction.on_commit(program_catalog_invalidate)


def program_days_problem(day_numbers: Iterable[int]) -> str | None:
    """Why a program with these day numbers cannot be published, or None.

    A published program is served and enrolled in: it needs at least one day,
    and its days must run 1, 2, 3... with no gap (a user could never reach the
    day after a gap, nor complete the program).
    """
    numbers = sorted(day_numbers)
    if not numbers:
        return "it has no days"
    expected = list(range(1, len(numbers) + 1))
    if numbers != expected:
        missing = sorted(set(range(1, max(numbers) + 1)) - set(numbers))
        shown = ", ".join(str(n) for n in missing) or "none"
        return f"its day numbers must run 1, 2, 3... with no gap (missing: {shown})"
    return None


def program_publish_problems(*, program_ids: Iterable[int]) -> dict[int, str]:
    """Program id -> why it cannot be published, for the given programs."""
    ids = list(program_ids)
    numbers: dict[int, list[int]] = {pk: [] for pk in ids}
    for program_id, day_number in ProgramDay.objects.filter(
        program_id__in=ids
    ).values_list("program_id", "day_number"):
        numbers[program_id].append(day_number)
    problems = {pk: program_days_problem(days) for pk, days in numbers.items()}
    return {pk: problem for pk, problem in problems.items() if problem is not None}


@transaction.atomic
def program_publish_set(*, program_ids: Iterable[int], is_published: bool) -> int:
    """Publish or unpublish programs (the admin's bulk actions); returns how many
    rows changed. A program that ``program_publish_problems`` refuses is not
    published. Side effects: as ``program_catalog_changed``.
    """
    ids = list(program_ids)
    if is_published:
        refused = program_publish_problems(program_ids=ids)
        ids = [pk for pk in ids if pk not in refused]
    changed = (
        WellnessProgram.objects.filter(pk__in=ids)
        .exclude(is_published=is_published)
        .update(is_published=is_published)
    )
    program_catalog_changed(program_ids=ids)
    return changed
