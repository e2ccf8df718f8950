"""The streak rules, as pure functions over local dates.

A *day* is a local date on which the user completed at least one session.

- The current streak counts consecutive days; it is alive while its last day is
  today or yesterday (so it does not read 0 in the morning before practising).
- Freezes: every 7th day of a streak (7, 14, 21, ...) earns one freeze, with at
  most 2 banked. When the user comes back after missing days and has at least as
  many banked freezes as missed days, the freezes are spent automatically and
  the streak continues. A frozen day protects the streak but does not count as
  a day (a 3-day streak with one frozen gap and one more day is 4, not 5). When
  there are not enough freezes the streak restarts at 1 and the banked freezes
  are kept. While a gap is still open, reading the streak treats it the same
  way: covered gaps keep it alive, and the freezes that would be spent are not
  shown as available.
- The longest streak is the longest current streak ever reached under these
  rules; it is exact because it is folded over every day of history.

Time zones: each completion stores the local date in the user's time zone *at
the moment of completion*, and past dates are never rewritten when the user
changes zone. "Today" is always evaluated in the user's current zone. Moving
east can therefore skip a calendar date (a missed day, which a freeze covers);
moving west can produce a completion dated before the last stored day, in which
case the streak is recomputed from the stored dates (each date counts once).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date

from wellness.models import DAYS_PER_FREEZE, MAX_FREEZES_BANKED, Streak


@dataclass(frozen=True)
class StreakState:
    current: int = 0
    longest: int = 0
    last_active: date | None = None
    banked: int = 0
    used: int = 0


@dataclass(frozen=True)
class StreakView:
    current: int
    longest: int
    freezes_available: int
    last_active: date | None


def streak_state(streak: Streak | None) -> StreakState:
    """The rules' state of a stored streak row (the empty state for none)."""
    if streak is None:
        return StreakState()
    return StreakState(
        current=streak.current_length,
        longest=streak.longest_length,
        last_active=streak.last_active_date,
        banked=streak.freezes_banked,
        used=streak.freezes_used,
    )


def streak_advance(state: StreakState, day: date) -> tuple[StreakState, bool]:
    """Fold one new active day (after ``state.last_active``) into the state.

    Returns the new state and whether a freeze was earned on that day.
    """
    if state.last_active is not None and day <= state.last_active:
        raise ValueError("days must be folded in increasing order")
    current, banked, used = state.current, state.banked, state.used
    if state.last_active is None:
        current = 1
    else:
        missed = (day - state.last_active).days - 1
        if missed == 0:
            current += 1
        elif missed <= banked:
            banked -= missed
            used += missed
            current += 1
        else:
            current = 1
    earned = current % DAYS_PER_FREEZE == 0 and banked < MAX_FREEZES_BANKED
    if earned:
        banked += 1
    new = replace(
        state,
        current=current,
        longest=max(state.longest, current),
        last_active=day,
        banked=banked,
        used=used,
    )
    return new, earned


def streak_fold(days: Iterable[date]) -> StreakState:
    """The state after every day of history (any order, duplicates ignored)."""
    state = StreakState()
    for day in sorted(set(days)):
        state, _ = streak_advance(state, day)
    return state


def streak_view(state: StreakState, today: date) -> StreakView:
    """What the user sees on ``today`` (their current local date)."""
    if state.last_active is None:
        return StreakView(0, state.longest, state.banked, None)
    missed = (today - state.last_active).days - 1
    if missed <= 0:
        return StreakView(state.current, state.longest, state.banked, state.last_active)
    if missed <= state.banked:
        return StreakView(
            state.current, state.longest, state.banked - missed, state.last_active
        )
    return StreakView(0, state.longest, state.banked, state.last_active)


# The rule as the API documents it (OpenAPI descriptions).
STREAK_RULE = (
    "Streaks count local dates (the user's time zone) with at least one "
    "completed session; the current streak is alive while its last day is today "
    "or yesterday. Every 7th day earns a freeze (at most 2 banked) that covers a "
    "missed day automatically without counting as a day. Time-zone changes: each "
    "completion keeps the local date it had in the user's zone at that moment "
    "and past dates are never recomputed; 'today' is read in the current zone, so "
    "flying east can skip a date (a banked freeze covers it) and flying west can "
    "repeat one (it counts once). Omitted in gentle mode."
)
