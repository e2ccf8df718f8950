"""The refusals wellness services raise; ``kaya.exceptions`` renders them."""

from __future__ import annotations

from typing import ClassVar

from kaya.exceptions import (
    ApplicationError,
    ConflictError,
    ForbiddenError,
    NotFoundError,
)
from wellness.models import MAX_SESSION_SECONDS


class SessionNotInProgressError(ConflictError):
    code = "session_not_in_progress"
    message = "This session is already completed or abandoned."


class PremiumRequiredError(ForbiddenError):
    code = "premium_required"
    message = "This program is part of KAYA Premium. Upgrade to enroll."


class EventPremiumRequiredError(PremiumRequiredError):
    message = "This event is part of KAYA Premium. Upgrade to register."


class EventStartedError(ConflictError):
    code = "event_started"
    message = "This event has already started or is over."


class EventNotPublishedError(NotFoundError):
    # An unpublished event is not there for users: the same 404 as no event.
    pass


class EventNotRegisteredError(NotFoundError):
    code = "not_registered"
    message = "You are not registered or waitlisted for this event."


class EventAttendedError(ConflictError):
    code = "event_attended"
    message = "Your attendance is recorded: it cannot be cancelled."


class ProgramDayLockedError(ConflictError):
    code = "program_day_locked"
    message = (
        "This day is not unlocked yet: finish the previous day, and come back "
        "the next day."
    )


class WellnessFieldError(ApplicationError):
    """A 400 on one input field that only a service can judge (it depends on
    stored rows or on the service's own bounds), in the shape of a serializer's
    400: ``validation_error`` with ``fields``."""

    code = "validation_error"
    message = "The request is not valid; see fields."
    field: ClassVar[str]
    field_message: ClassVar[str]

    def __init__(self) -> None:
        super().__init__(fields={self.field: [self.field_message]})


class SessionDurationError(WellnessFieldError):
    field = "actual_duration_seconds"
    field_message = f"Must be between 1 and {MAX_SESSION_SECONDS} seconds."


class SessionProgressError(WellnessFieldError):
    field = "progress_seconds"
    field_message = f"Must be at most {MAX_SESSION_SECONDS} seconds."


class EnrollmentRequiredError(WellnessFieldError):
    field = "enrollment_id"
    field_message = "A program day needs its enrollment."


class EnrollmentNotFoundError(WellnessFieldError):
    field = "enrollment_id"
    field_message = "No such enrollment."


class ProgramDayNotFoundError(WellnessFieldError):
    field = "program_day_id"
    field_message = "No such day in this program."


class GeneratedContentNotFoundError(WellnessFieldError):
    field = "generated_content_id"
    field_message = "No such generated content."


class ProgramDayNumberError(WellnessFieldError):
    field = "day_number"
    field_message = "This program has no such day."


class ChallengePremiumRequiredError(PremiumRequiredError):
    # The programs' check and code, with words for a challenge.
    message = "This challenge is part of KAYA Premium. Upgrade to join."


class ChallengeEndedError(ConflictError):
    code = "challenge_ended"
    message = "This challenge has ended, so it can no longer be joined."


class ChallengeCompletedLeaveError(ConflictError):
    code = "challenge_completed"
    message = "You completed this challenge; it stays in your challenges."
