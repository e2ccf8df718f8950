"""``dashboard_lists`` (one UNION ALL statement) holds to the ORM selectors it
replaces: the same rows, values and order, on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from journal.models import MoodEntry
from journal.tests.factories import MoodEntryFactory
from wellness.models import ProgramEnrollment, WellnessEvent, WellnessProgram
from wellness.selectors.dashboard import (
    ACTIVE_ENROLLMENTS,
    LATEST_MOODS,
    MOOD_FIELDS,
    dashboard_lists,
)
from wellness.selectors.events import event_next_for_user
from wellness.selectors.programs import enrollment_list
from wellness.tests.factories import (
    EventRegistrationFactory,
    ProgramEnrollmentFactory,
    WellnessEventFactory,
    WellnessProgramFactory,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 4, 15, 10, 0, 30, 123456, tzinfo=UTC)


def _orm(user, now):
    """What the dashboard read before: one ORM query per list."""
    import time_machine

    with time_machine.travel(now, tick=False):
        event = event_next_for_user(user=user)
    return {
        "latest_moods": list(
            MoodEntry.objects.for_user(user)
            .order_by("-logged_at", "-id")
            .values(*MOOD_FIELDS)[:LATEST_MOODS]
        ),
        "active_enrollments": list(
            enrollment_list(user=user).filter(completed_at__isnull=True)[
                :ACTIVE_ENROLLMENTS
            ]
        ),
        "next_event": event,
    }


def _fields(obj):
    if obj is None:
        return None
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def _comparable(lists):
    event = lists["next_event"]
    return {
        "latest_moods": lists["latest_moods"],
        "active_enrollments": [
            (_fields(e), _fields(e.program)) for e in lists["active_enrollments"]
        ],
        "next_event": None
        if event is None
        else (_fields(event), event.registration_id, event.registration_status),
    }


def _assert_same(user, now=NOW):
    mine = dashboard_lists(user=user, now=now)
    assert _comparable(mine) == _comparable(_orm(user, now))
    for enrollment in mine["active_enrollments"]:
        assert isinstance(enrollment, ProgramEnrollment)
        assert isinstance(enrollment.program, WellnessProgram)
        assert not enrollment._state.adding
    return mine


def test_a_user_with_nothing_has_empty_lists(user, other_user):
    MoodEntryFactory(user=other_user)
    ProgramEnrollmentFactory(user=other_user)
    EventRegistrationFactory(user=other_user, event=WellnessEventFactory())

    assert dashboard_lists(user=user, now=NOW) == {
        "latest_moods": [],
        "active_enrollments": [],
        "next_event": None,
    }
    _assert_same(user)


def test_latest_moods_are_the_orms_newest_five(user, other_user):
    base = NOW - timedelta(days=3)
    entries = [
        MoodEntryFactory(
            user=user,
            mood=MoodEntry.Mood.LOW,
            intensity=i + 1,
            note="private",
            logged_at=base + timedelta(hours=i // 2),  # pairs share an instant
            local_date=date(2026, 4, 12),
        )
        for i in range(7)
    ]
    entries[-1].delete()  # a deleted entry is gone from the list
    MoodEntryFactory(user=other_user, logged_at=NOW)  # newest, but not mine

    mine = _assert_same(user)

    assert [m["id"] for m in mine["latest_moods"]] == [
        e.pk for e in [entries[5], entries[4], entries[3], entries[2], entries[1]]
    ]
    assert set(mine["latest_moods"][0]) == set(MOOD_FIELDS)  # never the note


def test_active_enrollments_are_the_orms_newest_five_with_programs(user, other_user):
    enrolled = NOW - timedelta(days=5)
    translated = WellnessProgramFactory(
        translations={"es": {"title": "Calma"}}, cover_image_url=""
    )
    for i in range(6):
        ProgramEnrollmentFactory(
            user=user,
            program=translated if i == 0 else WellnessProgramFactory(),
            enrolled_at=enrolled + timedelta(days=i // 2),  # ties on the instant
            days_completed=i,
            progress_percent=10 * i,
            last_completed_local_date=date(2026, 4, 10) if i % 2 else None,
        )
    ProgramEnrollmentFactory(
        user=user, enrolled_at=NOW, completed_at=NOW - timedelta(hours=1)
    )
    ProgramEnrollmentFactory(user=other_user, enrolled_at=NOW)

    mine = _assert_same(user)

    assert len(mine["active_enrollments"]) == ACTIVE_ENROLLMENTS
    assert all(e.completed_at is None for e in mine["active_enrollments"])


def test_the_next_event_is_the_orms_soonest_held_seat(user, other_user):
    def event(hours, **kwargs):
        starts = NOW + timedelta(hours=hours)
        return WellnessEventFactory(
            starts_at=starts, ends_at=starts + timedelta(hours=2), **kwargs
        )

    # Not mine, not a seat, not published, or over: none of these count.
    EventRegistrationFactory(user=other_user, event=event(-1))
    EventRegistrationFactory(user=user, event=event(-1.5), status="waitlisted")
    EventRegistrationFactory(user=user, event=event(-1.4), status="cancelled")
    EventRegistrationFactory(user=user, event=event(-1.3, is_published=False))
    EventRegistrationFactory(user=user, event=event(-3))  # ended an hour ago
    # In progress (started an hour ago): the next one.
    held = EventRegistrationFactory(user=user, event=event(-1, place="Room 2"))
    EventRegistrationFactory(user=user, event=event(5))

    mine = _assert_same(user)

    assert (mine["next_event"].pk, mine["next_event"].registration_id) == (
        held.event_id,
        held.pk,
    )
    assert mine["next_event"].registration_status == "registered"
    assert isinstance(mine["next_event"], WellnessEvent)


def test_an_event_ending_exactly_now_is_over(user):
    starts = NOW - timedelta(hours=1)
    EventRegistrationFactory(
        user=user, event=WellnessEventFactory(starts_at=starts, ends_at=NOW)
    )

    assert _assert_same(user)["next_event"] is None


@pytest.mark.postgres
def test_the_statement_is_short_enough_for_psycopgs_parse_cache():
    from django.db import connection
    from psycopg._queries import MAX_CACHED_STATEMENT_LENGTH

    from wellness.selectors.dashboard import _statement

    assert len(_statement(connection.vendor).sql.encode()) <= (
        MAX_CACHED_STATEMENT_LENGTH
    )
