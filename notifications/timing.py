"""User-local timing rules: quiet hours and the daily practice reminder."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.utils import timezone

from kaya.timeutils import at_local_time, zone

if TYPE_CHECKING:
    from accounts.models import User


def quiet_hours_end(*, user: User, at: datetime) -> datetime | None:
    """When the quiet hours that contain ``at`` end, or None outside them.

    Quiet hours are local wall-clock times in the user's zone and may wrap past
    midnight (22:00-07:00). Equal start and end means no quiet hours.
    """
    start: time | None = user.quiet_hours_start
    end: time | None = user.quiet_hours_end
    if start is None or end is None or start == end:
        return None
    if timezone.is_naive(at):
        raise ValueError("naive datetimes are not allowed")
    local = at.astimezone(zone(user.timezone))
    now = local.time().replace(tzinfo=None)
    if start < end:
        if not start <= now < end:
            return None
        end_day = local.date()
    else:
        if end <= now < start:
            return None
        end_day = local.date() if now < end else local.date() + timedelta(days=1)
    ends_at = at_local_time(end_day, end, user.timezone)
    # On a fall-back night the wall-clock end may name the earlier of two
    # instants, already past: then the quiet period is over.
    return ends_at if ends_at > at else None


def practice_reminder_key(day: date) -> str:
    """The idempotency key of one user's daily practice reminder on a local day."""
    return f"practice_reminder:{day.isoformat()}"
