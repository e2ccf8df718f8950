"""Shapes every wellness aggregate shares."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any


def practice_totals(sessions: int | None, seconds: int | None) -> dict[str, int]:
    """The one shape of a practice aggregate: a count and integer seconds."""
    return {"sessions_count": sessions or 0, "duration_seconds": seconds or 0}


def rounded(value: Any, digits: int = 2) -> float | None:
    return None if value is None else round(float(value), digits)


def week_bounds(today: date) -> tuple[date, date, date]:
    """(this Monday, last Monday, today) of the user's local week."""
    this_monday = today - timedelta(days=today.weekday())
    return this_monday, this_monday - timedelta(days=7), today
