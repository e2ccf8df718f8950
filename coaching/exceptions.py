"""The errors coaching's services raise; kaya.exceptions renders them."""

from __future__ import annotations

from rest_framework import status

from kaya.exceptions import ApplicationError


class SlotUnavailableError(ApplicationError):
    status_code = status.HTTP_409_CONFLICT
    code = "slot_unavailable"
    message = "This time is not available with this therapist; pick another slot."


class SlotTakenError(ApplicationError):
    status_code = status.HTTP_409_CONFLICT
    code = "slot_taken"
    message = "Someone has just booked this time; pick another slot."


class BookingLimitError(ApplicationError):
    status_code = status.HTTP_409_CONFLICT
    code = "booking_limit_reached"
    message = "You can hold at most 3 upcoming bookings."


class TherapistNotAcceptingError(ApplicationError):
    status_code = status.HTTP_409_CONFLICT
    code = "therapist_not_accepting"
    message = "This therapist is not accepting new clients."


class BookingTransitionError(ApplicationError):
    status_code = status.HTTP_409_CONFLICT
    code = "invalid_transition"
    message = "The booking cannot change that way in its current state."


class BookingStartedError(ApplicationError):
    status_code = status.HTTP_409_CONFLICT
    code = "booking_started"
    message = "The session has already started."


class NotATherapistError(ApplicationError):
    status_code = status.HTTP_403_FORBIDDEN
    code = "not_a_therapist"
    message = "Only a therapist's account can see therapist bookings."


class AIConsentRequiredError(ApplicationError):
    status_code = status.HTTP_403_FORBIDDEN
    code = "ai_consent_required"
    message = (
        "AI features need your consent to AI processing: set `ai_consent` to true "
        "on PATCH /api/v1/users/me."
    )


class AIQuotaExceededError(ApplicationError):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    code = "ai_quota_exceeded"
    message = (
        "You have reached today's limit for this AI feature; it resets at midnight."
    )
