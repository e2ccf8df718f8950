"""Reads of the published catalogue and of the user's enrollments."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from journal.crisis import locale_candidates
from kaya.timeutils import local_today
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


def content_languages(*, user: User) -> tuple[str, ...]:
    """The languages to show program text in, best first: the user's locale
    (``es-MX``, then ``es``), then the fallback locale (the English fields)."""
    return tuple(locale_candidates(getattr(user, "locale", None)))


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


def program_detail_context(*, user: User, program: WellnessProgram) -> dict[str, Any]:
    """What ``ProgramDetailOutput`` shows the user beside the program: the
    local date, the user's enrollment (or None), whether the days' content is
    visible, and each day's status. One query (the enrollment)."""
    enrollment = enrollment_for_program(user=user, program=program)
    if enrollment is not None:
        enrollment.program = program
    today = local_today(user.timezone)
    return {
        "today": today,
        "languages": content_languages(user=user),
        "enrollment": enrollment,
        "content_visible": program_content_visible(user=user, program=program),
        "day_states": enrollment_day_states(
            enrollment=enrollment,
            day_numbers=[day.day_number for day in program.days.all()],
            today=today,
        ),
    }
