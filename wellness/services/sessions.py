"""Practice sessions: start, live progress, completion, abandonment."""

from __future__ import annotations

import logging
import uuid
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from coaching.models import AIGenerationJob
from kaya.events import publish
from kaya.idempotency import create_once
from kaya.timeutils import local_date
from notifications import realtime
from notifications.models import Notification
from notifications.services import notification_create
from wellness import events
from wellness.exceptions import (
    EnrollmentNotFoundError,
    EnrollmentRequiredError,
    GeneratedContentNotFoundError,
    ProgramDayLockedError,
    ProgramDayNotFoundError,
    SessionDurationError,
    SessionNotInProgressError,
    SessionProgressError,
)
from wellness.models import (
    MAX_SESSION_SECONDS,
    ProgramDay,
    ProgramEnrollment,
    Streak,
    WellnessSession,
)
from wellness.rollups import session_rollups_add, session_tally_add
from wellness.services.programs import enrollment_day_complete
from wellness.services.streaks import streak_record_activity

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)


def _resolve_program_day(
    *, user: User, enrollment_id: int | None, program_day_id: int | None
) -> tuple[ProgramEnrollment | None, ProgramDay | None]:
    if enrollment_id is None and program_day_id is None:
        return None, None
    if enrollment_id is None:
        raise EnrollmentRequiredError()
    # Another user's enrollment reads exactly like a missing one.
    enrollment = (
        ProgramEnrollment.objects.for_user(user).filter(pk=enrollment_id).first()
    )
    if enrollment is None:
        raise EnrollmentNotFoundError()
    if program_day_id is None:
        return enrollment, None
    day = ProgramDay.objects.filter(
        pk=program_day_id, program_id=enrollment.program_id
    ).first()
    if day is None:
        raise ProgramDayNotFoundError()
    return enrollment, day


def _resolve_generated_content(*, user: User, content_id: uuid.UUID | None) -> str:
    if content_id is None:
        return ""
    # Another user's content reads exactly like a missing one.
    jobs = AIGenerationJob.objects.for_user(user)
    if not jobs.filter(content_id=content_id).exists():
        raise GeneratedContentNotFoundError()
    return str(content_id)


@transaction.atomic
def session_create(
    *,
    user: User,
    type: str,
    title: str,
    planned_duration_seconds: int,
    client_id: uuid.UUID | None = None,
    enrollment_id: int | None = None,
    program_day_id: int | None = None,
    generated_content_id: uuid.UUID | None = None,
    mood_before: int | None = None,
) -> tuple[WellnessSession, bool]:
    """Start a session. Idempotent per ``client_id``: a retry returns the session
    created first and ``created=False``. ``generated_content_id`` must be the
    ``content_id`` of one of the user's AI generation jobs. Side effects: the
    user's session count (``SessionTally``, a rollup) goes up, so their cached
    reads (``kaya.rollups.USER_READS``) go stale once it commits.
    """

    def create() -> WellnessSession:
        enrollment, day = _resolve_program_day(
            user=user, enrollment_id=enrollment_id, program_day_id=program_day_id
        )
        content_id = _resolve_generated_content(
            user=user, content_id=generated_content_id
        )
        now = timezone.now()
        session = WellnessSession.objects.create(
            user=user,
            type=type,
            title=title,
            planned_duration_seconds=planned_duration_seconds,
            client_id=client_id,
            enrollment=enrollment,
            program_day=day,
            generated_content_id=content_id,
            mood_before=mood_before,
            started_at=now,
            local_date=local_date(now, user.timezone),
        )
        # The sessions page's total. After the insert: a retry that loses the
        # client_id race (create_once) fails before it counts.
        session_tally_add(session=session)
        return session

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


def _record_completion(
    *,
    locked: WellnessSession,
    user: User,
    actual_duration_seconds: int,
    mood_after: int | None,
    notes: str,
) -> None:
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


def _advance_program_day(*, session: WellnessSession, user: User) -> None:
    """Mark the session's program day done, when it was for one."""
    if session.enrollment_id is None or session.program_day_id is None:
        return
    enrollment = ProgramEnrollment.objects.get(pk=session.enrollment_id)
    enrollment.user = user
    day_number = ProgramDay.objects.values_list("day_number", flat=True).get(
        pk=session.program_day_id
    )
    try:
        # A savepoint: a day that is still locked leaves the session complete.
        with transaction.atomic():
            enrollment_day_complete(enrollment=enrollment, day_number=day_number)
    except ProgramDayLockedError:
        logger.info(
            "session %s completed a locked program day %s", session.pk, day_number
        )


def _publish_completion(
    *, session: WellnessSession, user: User, streak: Streak
) -> None:
    """The realtime push to the user's sockets and the domain event."""
    payload: dict[str, Any] = {
        "session_id": session.pk,
        "type": session.type,
        "duration_seconds": session.actual_duration_seconds,
        "local_date": session.local_date.isoformat(),
    }
    if not user.gentle_mode:
        payload["current_streak"] = streak.current_length
        payload["longest_streak"] = streak.longest_length
    user_id = user.pk
    transaction.on_commit(
        lambda: realtime.push_to_user(user_id, realtime.SESSION_COMPLETED, payload)
    )
    publish(
        events.session_completed,
        sender=WellnessSession,
        user_id=user_id,
        session_id=session.pk,
        session_type=session.type,
        duration_seconds=session.actual_duration_seconds,
        local_date=session.local_date,
        current_streak=streak.current_length,
    )


def _reward_streak_freeze(*, user: User, streak: Streak) -> None:
    """The freeze event, and an in-app nudge unless in gentle mode."""
    current = streak.current_length
    publish(
        events.streak_freeze_earned,
        sender=Streak,
        user_id=user.pk,
        current_streak=current,
        longest_streak=streak.longest_length,
    )
    if user.gentle_mode:
        return
    notification_create(
        user=user,
        type=Notification.Type.SYSTEM,
        title="You earned a streak freeze",
        body=f"{current} days in a row. A freeze will cover a day you miss.",
        data={"kind": "streak_freeze_earned", "current_streak": current},
        # An in-app nudge only: streak news is never worth an email.
        email=False,
    )


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
    when a streak freeze is earned the ``streak_freeze_earned`` event and (not
    in gentle mode) a notification.
    Raises ``SessionNotInProgressError`` (409) on a second completion.
    """
    if not 1 <= actual_duration_seconds <= MAX_SESSION_SECONDS:
        raise SessionDurationError()
    locked = _lock_in_progress(session)
    user = session.user
    _record_completion(
        locked=locked,
        user=user,
        actual_duration_seconds=actual_duration_seconds,
        mood_after=mood_after,
        notes=notes,
    )
    session_rollups_add(session=locked)
    streak, freeze_earned = streak_record_activity(user=user, day=locked.local_date)
    _advance_program_day(session=locked, user=user)
    _publish_completion(session=locked, user=user, streak=streak)
    if freeze_earned:
        _reward_streak_freeze(user=user, streak=streak)
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
        raise SessionProgressError()
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
