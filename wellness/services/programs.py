"""Programs: enrollment, day completion, and staff changes to the catalogue."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, time, timedelta
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone

from kaya.events import publish
from kaya.rollups import user_reads_changed
from kaya.timeutils import at_local_time, local_today
from notifications.models import Notification
from notifications.services import notification_schedule
from wellness import events
from wellness.cache import program_catalog_invalidate
from wellness.exceptions import (
    PremiumRequiredError,
    ProgramDayLockedError,
    ProgramDayNumberError,
)
from wellness.models import (
    ProgramDay,
    ProgramDayProgress,
    ProgramEnrollment,
    WellnessProgram,
)

if TYPE_CHECKING:
    from accounts.models import User

# The local wall-clock time a newly unlocked program day is announced.
PROGRAM_DAY_READY_AT = time(8, 0)


@transaction.atomic
def program_enroll(
    *, user: User, program: WellnessProgram
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
            user_reads_changed(user.pk)  # the enrollment count in /users/me/stats
    except IntegrityError:
        return ProgramEnrollment.objects.get(user=user, program=program), False
    return enrollment, True


def _record_day(
    *,
    enrollment: ProgramEnrollment,
    program: WellnessProgram,
    day: ProgramDay,
    today: date,
) -> bool:
    """Store day ``day`` as done today and advance the enrollment's counters;
    whether the program is now finished."""
    now = timezone.now()
    ProgramDayProgress.objects.create(
        enrollment=enrollment,
        day=day,
        day_number=day.day_number,
        completed_at=now,
        local_date=today,
    )
    total = max(program.days_count, day.day_number)
    enrollment.days_completed = day.day_number
    enrollment.progress_percent = min(100, day.day_number * 100 // total)
    enrollment.last_completed_local_date = today
    finished = day.day_number >= total
    if finished:
        enrollment.completed_at = now
        # The completed programs' count in /users/me/stats.
        user_reads_changed(enrollment.user_id)
    enrollment.save(
        update_fields=[
            "days_completed",
            "progress_percent",
            "last_completed_local_date",
            "completed_at",
        ]
    )
    return finished


def _publish_day_completed(
    *, user: User, enrollment: ProgramEnrollment, day_number: int, finished: bool
) -> None:
    ids = {
        "user_id": user.pk,
        "enrollment_id": enrollment.pk,
        "program_id": enrollment.program_id,
    }
    publish(
        events.program_day_completed,
        sender=ProgramEnrollment,
        day_number=day_number,
        **ids,
    )
    if finished:
        publish(events.program_completed, sender=ProgramEnrollment, **ids)


def _schedule_next_day(
    *,
    user: User,
    enrollment: ProgramEnrollment,
    program: WellnessProgram,
    day_number: int,
    today: date,
) -> None:
    """Announce the next day at 08:00 on the user's next local day."""
    next_day = ProgramDay.objects.filter(
        program=program, day_number=day_number + 1
    ).first()
    if next_day is None:
        return
    notification_schedule(
        user=user,
        type=Notification.Type.PROGRAM_DAY_READY,
        title=f"Day {next_day.day_number} of {program.title} is ready",
        body=next_day.title,
        send_at=at_local_time(
            today + timedelta(days=1), PROGRAM_DAY_READY_AT, user.timezone
        ),
        dedupe_key=f"program_day:{enrollment.pk}:{next_day.day_number}",
        data={
            "program_id": program.pk,
            "enrollment_id": enrollment.pk,
            "day_number": next_day.day_number,
        },
    )


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
        raise ProgramDayNumberError()
    if day_number <= locked.days_completed:
        return locked
    today = local_today(user.timezone)
    if day_number != locked.days_completed + 1 or not locked.next_day_unlocked(today):
        raise ProgramDayLockedError()

    finished = _record_day(enrollment=locked, program=program, day=day, today=today)
    _publish_day_completed(
        user=user, enrollment=locked, day_number=day_number, finished=finished
    )
    if not finished:
        _schedule_next_day(
            user=user,
            enrollment=locked,
            program=program,
            day_number=day_number,
            today=today,
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
