"""Every entry's local date is the user's calendar date when it happened, computed
at write time: far east (UTC+14), far west (UTC-11), across DST, and it does not
shift when the user later changes time zone."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from journal import services
from journal.models import MoodEntry, MoodTag

pytestmark = pytest.mark.django_db

UTC = ZoneInfo("UTC")


def write(kind: str, user):
    if kind == "journal":
        return services.journal_entry_create(user=user, body="x")[0]
    if kind == "gratitude":
        return services.gratitude_entry_create(user=user, items=["x"])[0]
    return services.mood_entry_create(
        user=user, mood="good", intensity=5, emotions=["calm"]
    ).entry


KINDS = ["journal", "gratitude", "mood"]


def set_zone(user, name: str) -> None:
    user.timezone = name
    user.save(update_fields=["timezone"])


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    "zone, instant, expected",
    [
        # Kiritimati is UTC+14: its midnight is 10:00 UTC the day before.
        ("Pacific/Kiritimati", datetime(2026, 11, 20, 9, 59, 59), date(2026, 11, 20)),
        ("Pacific/Kiritimati", datetime(2026, 11, 20, 10, 0, 0), date(2026, 11, 21)),
        # Pago Pago is UTC-11: its midnight is 11:00 UTC the same day.
        ("Pacific/Pago_Pago", datetime(2026, 11, 21, 10, 59, 59), date(2026, 11, 20)),
        ("Pacific/Pago_Pago", datetime(2026, 11, 21, 11, 0, 0), date(2026, 11, 21)),
        # New York falls back on 2026-11-01: midnight is 04:00 UTC before (EDT)
        # and 05:00 UTC after (EST).
        ("America/New_York", datetime(2026, 11, 1, 3, 59, 59), date(2026, 10, 31)),
        ("America/New_York", datetime(2026, 11, 1, 4, 0, 0), date(2026, 11, 1)),
        ("America/New_York", datetime(2026, 11, 2, 4, 30, 0), date(2026, 11, 1)),
        ("America/New_York", datetime(2026, 11, 2, 5, 0, 0), date(2026, 11, 2)),
        # ... and springs forward on 2026-03-08: midnight 05:00 UTC, then 04:00.
        ("America/New_York", datetime(2026, 3, 8, 4, 59, 59), date(2026, 3, 7)),
        ("America/New_York", datetime(2026, 3, 9, 4, 0, 0), date(2026, 3, 9)),
        ("America/New_York", datetime(2026, 3, 9, 3, 59, 59), date(2026, 3, 8)),
    ],
)
def test_local_date_is_the_users_calendar_date(user, kind, zone, instant, expected):
    set_zone(user, zone)
    moment = instant.replace(tzinfo=UTC)

    with time_machine.travel(moment, tick=False):
        entry = write(kind, user)

    entry.refresh_from_db()
    assert entry.local_date == expected
    stamp = entry.logged_at if kind == "mood" else entry.occurred_at
    assert stamp == moment


@time_machine.travel(datetime(2026, 11, 21, 12, 0, tzinfo=UTC), tick=False)
def test_back_dated_mood_takes_the_local_date_of_its_own_instant(user):
    set_zone(user, "Pacific/Kiritimati")

    entry = services.mood_entry_create(
        user=user,
        mood="low",
        intensity=4,
        factors=["sleep"],
        logged_at=datetime(2026, 11, 19, 10, 30, tzinfo=UTC),
    ).entry

    assert entry.local_date == date(2026, 11, 20)
    assert list(MoodTag.objects.values_list("local_date", flat=True)) == [
        date(2026, 11, 20)
    ]


def test_local_dates_do_not_shift_when_the_user_changes_time_zone(user, auth_client):
    set_zone(user, "Pacific/Kiritimati")
    with time_machine.travel(datetime(2026, 11, 20, 10, 30, tzinfo=UTC), tick=False):
        journal, _ = services.journal_entry_create(user=user, body="x")
        mood = services.mood_entry_create(user=user, mood="great", intensity=5).entry

    set_zone(user, "Pacific/Pago_Pago")  # the same instant was 2026-11-19 there

    journal.refresh_from_db()
    mood.refresh_from_db()
    assert journal.local_date == date(2026, 11, 21)
    assert mood.local_date == date(2026, 11, 21)
    calendar = auth_client.get(
        "/api/v1/journal/mood/calendar", {"month": "2026-11"}
    ).json()
    assert calendar["days"][20] == {
        "local_date": "2026-11-21",
        "entries_count": 1,
        "average_score": 5.0,
    }
    listed = auth_client.get(
        "/api/v1/journal", {"date_from": "2026-11-21", "date_to": "2026-11-21"}
    ).json()
    assert [e["id"] for e in listed["results"]] == [journal.pk]


def test_mood_history_days_group_by_local_date(user, auth_client):
    set_zone(user, "America/New_York")
    # Both on 2026-11-01 local (00:30 EDT and 23:30 EST), 25 hours apart.
    for instant in (datetime(2026, 11, 1, 4, 30), datetime(2026, 11, 2, 4, 30)):
        with time_machine.travel(instant.replace(tzinfo=UTC), tick=False):
            services.mood_entry_create(user=user, mood="good", intensity=5)

    with time_machine.travel(datetime(2026, 11, 3, 12, tzinfo=UTC), tick=False):
        body = auth_client.get(
            "/api/v1/journal/mood/history",
            {"date_from": "2026-10-31", "date_to": "2026-11-02"},
        ).json()

    assert [(d["local_date"], d["entries_count"]) for d in body["days"]] == [
        ("2026-11-01", 2)
    ]
    assert MoodEntry.objects.filter(local_date=date(2026, 11, 1)).count() == 2
