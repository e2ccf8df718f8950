"""A booking as an iCalendar file (``kaya.calendar``). The note stays out of it:
calendar files are synced to third-party services."""

from __future__ import annotations

from coaching.models import BookingStatus, TherapistBooking
from kaya.calendar import IcsEvent, ics_text

_STATUS = {
    BookingStatus.PENDING: "TENTATIVE",
    BookingStatus.CONFIRMED: "CONFIRMED",
    BookingStatus.COMPLETED: "CONFIRMED",
}


def booking_ics(booking: TherapistBooking) -> str:
    return ics_text(
        IcsEvent(
            uid=f"booking-{booking.pk}@kaya",
            starts_at=booking.starts_at,
            ends_at=booking.ends_at,
            summary=f"Session with {booking.therapist.display_name}",
            status=_STATUS.get(booking.status, "CANCELLED"),
            sequence=int(booking.updated_at.timestamp()),
        ),
        product="Bookings",
    )
