"""A booking as an iCalendar (RFC 5545) file. The note stays out of it: calendar
files are synced to third-party services."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from django.utils import timezone
from rest_framework.renderers import BaseRenderer

from coaching.models import BookingStatus, TherapistBooking

_STATUS = {
    BookingStatus.PENDING: "TENTATIVE",
    BookingStatus.CONFIRMED: "CONFIRMED",
    BookingStatus.COMPLETED: "CONFIRMED",
}


def _stamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _text(value: str) -> str:
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r", "")
        .replace("\n", "\\n")
    )


def booking_ics(booking: TherapistBooking) -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//KAYA//Bookings//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:booking-{booking.pk}@kaya",
        f"DTSTAMP:{_stamp(timezone.now())}",
        f"DTSTART:{_stamp(booking.starts_at)}",
        f"DTEND:{_stamp(booking.ends_at)}",
        f"SUMMARY:{_text(f'Session with {booking.therapist.display_name}')}",
        f"STATUS:{_STATUS.get(booking.status, 'CANCELLED')}",
        f"SEQUENCE:{int(booking.updated_at.timestamp())}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(lines) + "\r\n"


class CalendarRenderer(BaseRenderer):
    """Lets a client ask for ``Accept: text/calendar``; errors stay JSON text."""

    media_type = "text/calendar"
    format = "ics"
    charset = "utf-8"

    def render(
        self, data: Any, accepted_media_type: Any = None, renderer_context: Any = None
    ) -> bytes:
        text = data if isinstance(data, str) else json.dumps(data)
        return text.encode(self.charset)
