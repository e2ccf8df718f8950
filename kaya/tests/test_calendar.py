"""kaya.calendar: iCalendar text that calendar apps accept (RFC 5545)."""

from __future__ import annotations

from datetime import UTC, datetime

from kaya.calendar import IcsEvent, ics_text

START = datetime(2027, 3, 2, 11, tzinfo=UTC)
END = datetime(2027, 3, 2, 12, tzinfo=UTC)


def _event(**kwargs) -> IcsEvent:
    values = {
        "uid": "thing-1@kaya",
        "starts_at": START,
        "ends_at": END,
        "summary": "Calm",
        "status": "CONFIRMED",
        "sequence": 7,
    }
    values.update(kwargs)
    return IcsEvent(**values)


def test_long_lines_are_folded_at_75_octets_without_splitting_a_character():
    summary = "Méditation guidée pour débutants, ensemble 🌙 " * 4
    text = ics_text(_event(summary=summary), product="Test")

    physical = text.split("\r\n")
    assert physical[-1] == ""
    assert all(len(line.encode("utf-8")) <= 75 for line in physical)
    unfolded = text.replace("\r\n ", "")
    escaped = summary.replace(",", "\\,")
    assert f"\r\nSUMMARY:{escaped}\r\n" in unfolded


def test_text_is_escaped_and_optional_properties_are_left_out():
    text = ics_text(
        _event(summary="a;b,c\\d\nnext", description="", location=""),
        product="Test",
    )

    assert "SUMMARY:a\\;b\\,c\\\\d\\nnext\r\n" in text
    assert "DESCRIPTION" not in text
    assert "LOCATION" not in text
    assert "URL" not in text
    assert "DTSTART:20270302T110000Z\r\n" in text
    assert "DTEND:20270302T120000Z\r\n" in text
    assert "SEQUENCE:7\r\n" in text
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//KAYA//Test//EN")
    assert text.endswith("END:VEVENT\r\nEND:VCALENDAR\r\n")
