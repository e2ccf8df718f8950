"""iCalendar (RFC 5545) files for calendar apps: one event per file, served by a
viewset action at ``<resource>/<id>/calendar.ics``.

Calendar files are synced to third-party services: callers put no private text
(notes, journal, chat) in them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework.renderers import BaseRenderer

CONTENT_TYPE = "text/calendar; charset=utf-8"
# RFC 5545 3.1: lines longer than 75 octets are folded (CRLF + one space).
_LINE_OCTETS = 75

# The schema of a calendar action's 200 (``responses=`` of its extend_schema).
ICS_RESPONSES = {
    (200, "text/calendar"): OpenApiResponse(
        OpenApiTypes.STR, description="An iCalendar file with one event."
    )
}


@dataclass(frozen=True)
class IcsEvent:
    uid: str
    starts_at: datetime
    ends_at: datetime
    summary: str
    # TENTATIVE, CONFIRMED or CANCELLED.
    status: str
    # Grows with every change, so calendar apps replace their copy.
    sequence: int
    description: str = ""
    location: str = ""
    url: str = ""


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


def _fold(line: str) -> list[str]:
    """The line in pieces of at most 75 octets, never splitting a character."""
    pieces: list[str] = []
    current, size = "", 0
    limit = _LINE_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            pieces.append(current)
            # Continuation lines start with a space, which counts.
            current, size, limit = "", 0, _LINE_OCTETS - 1
        current += char
        size += width
    pieces.append(current)
    return [pieces[0], *(f" {piece}" for piece in pieces[1:])]


def ics_text(event: IcsEvent, *, product: str) -> str:
    """A calendar with one event; ``product`` names the feature in PRODID."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:-//KAYA//{_text(product)}//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{event.uid}",
        f"DTSTAMP:{_stamp(timezone.now())}",
        f"DTSTART:{_stamp(event.starts_at)}",
        f"DTEND:{_stamp(event.ends_at)}",
        f"SUMMARY:{_text(event.summary)}",
    ]
    if event.description:
        lines.append(f"DESCRIPTION:{_text(event.description)}")
    if event.location:
        lines.append(f"LOCATION:{_text(event.location)}")
    if event.url:
        lines.append(f"URL:{event.url}")
    lines += [
        f"STATUS:{event.status}",
        f"SEQUENCE:{event.sequence}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "".join(f"{piece}\r\n" for line in lines for piece in _fold(line))


def ics_response(text: str, *, filename: str) -> HttpResponse:
    response = HttpResponse(text, content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


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
