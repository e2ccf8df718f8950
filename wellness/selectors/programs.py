"""Reads of the published catalogue and of the user's enrollments."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from wellness.models import ProgramEnrollment, WellnessProgram

if TYPE_CHECKING:
    from accounts.models import User


def program_list(
    *,
    category: str = "",
    difficulty: str = "",
    premium: bool | None = None,
    search: str = "",
) -> QuerySet[WellnessProgram]:
    """The published catalogue in its staff-set order, narrowed by the list
    filters (``search`` looks in the title, case-insensitively)."""
    programs = WellnessProgram.objects.published()
    if category:
        programs = programs.filter(category=category)
    if difficulty:
        programs = programs.filter(difficulty=difficulty)
    if premium is not None:
        programs = programs.filter(is_premium=premium)
    if search:
        programs = programs.filter(title__icontains=search)
    return programs.order_by("ordering", "id")


def program_detail_queryset() -> QuerySet[WellnessProgram]:
    return WellnessProgram.objects.published().prefetch_related("days")


def program_content_visible(*, user: User, program: WellnessProgram) -> bool:
    """Premium programs show their day content to premium users only."""
    return not program.is_premium or bool(user.is_premium)


def enrollment_day_states(
    *, enrollment: ProgramEnrollment | None, day_numbers: list[int], today: date
) -> dict[int, str]:
    """Which days are done, which one is unlocked next, which are locked."""
    if enrollment is None:
        return {}
    done = enrollment.days_completed
    next_open = enrollment.next_day_unlocked(today)
    states = {}
    for number in day_numbers:
        if number <= done:
            states[number] = "done"
        elif number == done + 1 and next_open:
            states[number] = "unlocked"
        else:
            states[number] = "locked"
    return states


def enrollment_for_program(
    *, user: User, program: WellnessProgram
) -> ProgramEnrollment | None:
    return ProgramEnrollment.objects.for_user(user).filter(program=program).first()


def enrollment_list(*, user: User) -> QuerySet[ProgramEnrollment]:
    return (
        ProgramEnrollment.objects.for_user(user)
        .select_related("program")
        .order_by("-enrolled_at", "-id")
    )


def enrollment_next_day(
    *, enrollment: ProgramEnrollment, today: date
) -> dict[str, Any] | None:
    """The next day to do and the local date it unlocks on (None when finished)."""
    total = enrollment.program.days_count
    number = enrollment.days_completed + 1
    if enrollment.completed_at is not None or number > total:
        return None
    last = enrollment.last_completed_local_date
    unlocks_on = today if last is None else max(today, last + timedelta(days=1))
    return {
        "day_number": number,
        "unlocked": enrollment.next_day_unlocked(today),
        "unlocks_on": unlocks_on,
    }
