from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from journal.models import MoodEntry, MoodTag
from journal.tests.factories import MoodEntryFactory
from kaya import rollups
from wellness.services import enrollment_day_complete, event_register, program_enroll
from wellness.tests.factories import (
    WellnessEventFactory,
    WellnessSessionFactory,
    completed_session,
    frozen,
    program_with_days,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/analytics"
NOW = datetime(2026, 4, 15, 10, 0, tzinfo=UTC)  # Wednesday
SCORE_TO_MOOD = {v: k for k, v in MoodEntry.SCORES.items()}


def mood(user, day, score, intensity=5, emotions=(), factors=(), hour=12):
    entry = MoodEntryFactory(
        user=user,
        mood=SCORE_TO_MOOD[score],
        intensity=intensity,
        note="private",
        logged_at=datetime(day.year, day.month, day.day, hour, tzinfo=UTC),
        local_date=day,
    )
    for kind, values in (("emotion", emotions), ("factor", factors)):
        for value in values:
            MoodTag.objects.create(
                entry=entry, user=user, kind=kind, value=value, local_date=day
            )
    # Written directly rather than through the service: bring the rollups the
    # trends read up to date, as seeding does.
    rollups.rebuild_for_users([user.pk])
    return entry


@pytest.fixture
def moods(user, other_user):
    mood(user, date(2026, 4, 6), 1, 9, emotions=["sad"])
    mood(user, date(2026, 4, 13), 2, 4, emotions=["anxious"], factors=["work"])
    mood(user, date(2026, 4, 13), 4, 6, emotions=["calm"], factors=["sleep"])
    mood(user, date(2026, 4, 14), 5, 8, emotions=["calm", "happy"], factors=["sleep"])
    mood(user, date(2026, 4, 15), 3, 3, emotions=["calm", "tired"], factors=["work"])
    mood(other_user, date(2026, 4, 14), 1, 1, emotions=["calm"], factors=["sleep"])


# --- mood trends ------------------------------------------------------------
def test_mood_trends_by_day(auth_client, user, moods):
    with frozen(auth_client, user, NOW):
        response = auth_client.get(
            f"{URL}/mood-trends", {"date_from": "2026-04-13", "date_to": "2026-04-15"}
        )

    assert response.status_code == 200
    body = response.json()
    assert body["granularity"] == "day"
    assert body["buckets"] == [
        {
            "bucket": "2026-04-13",
            "average_score": 3.0,
            "average_intensity": 5.0,
            "entries_count": 2,
            "top_emotions": [
                {"value": "anxious", "count": 1},
                {"value": "calm", "count": 1},
            ],
            "top_factors": [
                {"value": "sleep", "count": 1},
                {"value": "work", "count": 1},
            ],
        },
        {
            "bucket": "2026-04-14",
            "average_score": 5.0,
            "average_intensity": 8.0,
            "entries_count": 1,
            "top_emotions": [
                {"value": "calm", "count": 1},
                {"value": "happy", "count": 1},
            ],
            "top_factors": [{"value": "sleep", "count": 1}],
        },
        {
            "bucket": "2026-04-15",
            "average_score": 3.0,
            "average_intensity": 3.0,
            "entries_count": 1,
            "top_emotions": [
                {"value": "calm", "count": 1},
                {"value": "tired", "count": 1},
            ],
            "top_factors": [{"value": "work", "count": 1}],
        },
    ]


def test_mood_trends_by_week_keep_the_top_three(auth_client, user, moods):
    with frozen(auth_client, user, NOW):
        body = auth_client.get(
            f"{URL}/mood-trends",
            {"date_from": "2026-04-06", "date_to": "2026-04-15", "granularity": "week"},
        ).json()

    assert body["buckets"] == [
        {
            "bucket": "2026-04-06",
            "average_score": 1.0,
            "average_intensity": 9.0,
            "entries_count": 1,
            "top_emotions": [{"value": "sad", "count": 1}],
            "top_factors": [],
        },
        {
            "bucket": "2026-04-13",
            "average_score": 3.5,  # (2 + 4 + 5 + 3) / 4
            "average_intensity": 5.25,  # (4 + 6 + 8 + 3) / 4
            "entries_count": 4,
            "top_emotions": [
                {"value": "calm", "count": 3},
                {"value": "anxious", "count": 1},
                {"value": "happy", "count": 1},
            ],
            "top_factors": [
                {"value": "sleep", "count": 2},
                {"value": "work", "count": 2},
            ],
        },
    ]


def test_mood_trends_by_month(auth_client, user, moods):
    mood(user, date(2026, 3, 31), 4, 2)
    with frozen(auth_client, user, NOW):
        body = auth_client.get(
            f"{URL}/mood-trends",
            {
                "date_from": "2026-03-01",
                "date_to": "2026-04-30",
                "granularity": "month",
            },
        ).json()
    assert [
        (b["bucket"], b["average_score"], b["entries_count"]) for b in body["buckets"]
    ] == [
        ("2026-03-01", 4.0, 1),
        ("2026-04-01", 3.0, 5),  # (1 + 2 + 4 + 5 + 3) / 5
    ]


def test_mood_before_and_after_sessions_by_type(auth_client, user):
    completed_session(
        user, datetime(2026, 4, 13, 9, tzinfo=UTC), mood_before=2, mood_after=4
    )
    completed_session(
        user, datetime(2026, 4, 14, 9, tzinfo=UTC), mood_before=3, mood_after=3
    )
    completed_session(
        user,
        datetime(2026, 4, 14, 19, tzinfo=UTC),
        type="yoga",
        mood_before=1,
        mood_after=5,
    )
    completed_session(user, datetime(2026, 4, 15, 9, tzinfo=UTC), mood_before=1)
    with frozen(auth_client, user, NOW):
        body = auth_client.get(f"{URL}/mood-trends").json()

    assert body["date_from"] == "2026-03-17"  # 30 days ending today
    assert body["sessions_mood"] == [
        {
            "type": "meditation",
            "sessions_count": 2,
            "average_mood_before": 2.5,
            "average_mood_after": 3.5,
            "average_mood_change": 1.0,
        },
        {
            "type": "yoga",
            "sessions_count": 1,
            "average_mood_before": 1.0,
            "average_mood_after": 5.0,
            "average_mood_change": 4.0,
        },
    ]


@pytest.mark.parametrize(
    ("params", "fields"),
    [
        ({"date_from": "2026-04-15", "date_to": "2026-04-01"}, {"date_from"}),
        ({"date_from": "2024-01-01", "date_to": "2026-04-01"}, {"date_from"}),
        ({"date_from": "soon", "granularity": "year"}, {"date_from", "granularity"}),
    ],
)
def test_mood_trends_rejects_bad_input(auth_client, params, fields):
    response = auth_client.get(f"{URL}/mood-trends", params)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert set(response.json()["error"]["fields"]) == fields


@pytest.mark.parametrize("count", [1, 3])
def test_mood_trends_query_count_is_fixed(
    auth_client, user, count, django_assert_num_queries
):
    for day in range(count):
        mood(user, date(2026, 4, 10 + day), 3, emotions=["calm"], factors=["sleep"])
        completed_session(
            user,
            datetime(2026, 4, 10 + day, 9, tzinfo=UTC),
            mood_before=2,
            mood_after=3,
        )
    # Authentication, then the mood and session rollups in one statement.
    with frozen(auth_client, user, NOW), django_assert_num_queries(2):
        response = auth_client.get(f"{URL}/mood-trends", {"granularity": "week"})
    assert response.status_code == 200


# --- activity breakdown -------------------------------------------------------
def test_mood_trends_statement_reads_what_the_orm_reads(user, other_user, moods):
    from wellness.selectors.analytics import (
        mood_trends_days,
        mood_trends_rows,
        mood_trends_sessions,
    )

    for when, before, after, kind in [
        (datetime(2026, 4, 13, 9, tzinfo=UTC), 2, 4, "meditation"),
        (datetime(2026, 4, 14, 9, tzinfo=UTC), 1, 5, "meditation"),
        (datetime(2026, 4, 14, 18, tzinfo=UTC), 3, 3, "breathing"),
        (datetime(2026, 4, 20, 9, tzinfo=UTC), 1, 1, "breathing"),  # after the range
        (datetime(2026, 4, 14, 10, tzinfo=UTC), None, 4, "sleep"),  # no mood pair
    ]:
        completed_session(user, when, mood_before=before, mood_after=after, type=kind)
    completed_session(
        other_user, datetime(2026, 4, 14, 9, tzinfo=UTC), mood_before=5, mood_after=1
    )
    # A deleted entry's day and another user's day are not read.
    gone = mood(user, date(2026, 4, 12), 2, emotions=["sad"])
    gone.delete()
    rollups.rebuild_for_users([user.pk, other_user.pk])

    for date_from, date_to in [
        (date(2026, 4, 1), date(2026, 4, 15)),
        (date(2026, 4, 14), date(2026, 4, 14)),
        (date(2025, 1, 1), date(2025, 12, 31)),  # nothing in range
    ]:
        span = {"user": user, "date_from": date_from, "date_to": date_to}
        days, sessions = mood_trends_rows(**span)
        assert days == list(mood_trends_days(**span))
        assert sessions == list(mood_trends_sessions(**span))
    days, sessions = mood_trends_rows(
        user=user, date_from=date(2026, 4, 1), date_to=date(2026, 4, 15)
    )
    assert [d[0] for d in days] == [date(2026, 4, d) for d in (6, 13, 14, 15)]
    assert sessions == [("breathing", 1, 3, 3), ("meditation", 2, 3, 9)]


def test_activity_breakdown_in_the_users_local_time(auth_client, user, other_user):
    user.timezone = "America/New_York"
    user.save(update_fields=["timezone"])
    ny = ZoneInfo("America/New_York")
    completed_session(user, datetime(2026, 4, 13, 7, 30, tzinfo=ny), seconds=600)
    completed_session(
        user, datetime(2026, 4, 13, 21, 0, tzinfo=ny), type="yoga", seconds=1800
    )
    completed_session(user, datetime(2026, 4, 14, 7, 10, tzinfo=ny), seconds=300)
    # 23:30 in New York is 03:30 UTC the next day: local Wednesday, hour 23.
    completed_session(
        user, datetime(2026, 4, 15, 23, 30, tzinfo=ny), type="breathing", seconds=120
    )
    WellnessSessionFactory(user=user, status="abandoned", local_date=date(2026, 4, 14))
    completed_session(other_user, datetime(2026, 4, 14, 7, 0, tzinfo=ny), seconds=999)

    with frozen(auth_client, user, datetime(2026, 4, 16, 12, tzinfo=UTC)):
        body = auth_client.get(
            f"{URL}/activity-breakdown",
            {"date_from": "2026-04-13", "date_to": "2026-04-15"},
        ).json()

    by_type = {
        row["type"]: (row["sessions_count"], row["duration_seconds"])
        for row in body["by_type"]
    }
    assert by_type == {
        "meditation": (2, 900),
        "breathing": (1, 120),
        "body_scan": (0, 0),
        "sleep": (0, 0),
        "yoga": (1, 1800),
        "movement": (0, 0),
        "focus": (0, 0),
        "gratitude": (0, 0),
    }
    weekdays = {
        r["weekday"]: (r["sessions_count"], r["duration_seconds"])
        for r in body["by_weekday"]
    }
    assert weekdays == {
        1: (2, 2400),
        2: (1, 300),
        3: (1, 120),
        4: (0, 0),
        5: (0, 0),
        6: (0, 0),
        7: (0, 0),
    }
    hours = {
        r["hour"]: (r["sessions_count"], r["duration_seconds"])
        for r in body["by_hour"]
        if r["sessions_count"]
    }
    assert hours == {7: (2, 900), 21: (1, 1800), 23: (1, 120)}
    assert len(body["by_hour"]) == 24


def test_activity_breakdown_hours_stay_local_across_the_dst_change(auth_client, user):
    user.timezone = "America/New_York"
    user.save(update_fields=["timezone"])
    ny = ZoneInfo("America/New_York")
    # 07:30 EST (12:30 UTC) on Saturday and 07:30 EDT (11:30 UTC) on Monday,
    # either side of the 2026-03-08 spring-forward change.
    completed_session(user, datetime(2026, 3, 7, 7, 30, tzinfo=ny), seconds=600)
    completed_session(user, datetime(2026, 3, 9, 7, 30, tzinfo=ny), seconds=300)

    with frozen(auth_client, user, datetime(2026, 3, 10, 12, tzinfo=UTC)):
        body = auth_client.get(
            f"{URL}/activity-breakdown",
            {"date_from": "2026-03-01", "date_to": "2026-03-10"},
        ).json()

    hours = {
        r["hour"]: (r["sessions_count"], r["duration_seconds"])
        for r in body["by_hour"]
        if r["sessions_count"]
    }
    assert hours == {7: (2, 900)}
    weekdays = {r["weekday"]: r["sessions_count"] for r in body["by_weekday"]}
    assert weekdays == {1: 1, 2: 0, 3: 0, 4: 0, 5: 0, 6: 1, 7: 0}


def test_activity_breakdown_rejects_bad_input(auth_client):
    response = auth_client.get(f"{URL}/activity-breakdown", {"date_to": "not-a-date"})
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"date_to"}


@pytest.mark.parametrize("path", ["mood-trends", "activity-breakdown", "correlations"])
def test_a_range_ending_near_the_first_date_starts_there_instead_of_failing(
    auth_client, path
):
    # The default span (30 or 90 days before `to`) would fall before year 1.
    response = auth_client.get(f"{URL}/{path}", {"date_to": "0001-01-02"})

    assert response.status_code == 200
    assert (response.json()["date_from"], response.json()["date_to"]) == (
        "0001-01-01",
        "0001-01-02",
    )


@pytest.mark.parametrize("count", [1, 3])
def test_activity_breakdown_query_count_is_fixed(
    auth_client, user, count, django_assert_num_queries
):
    for day in range(count):
        completed_session(user, datetime(2026, 4, 10 + day, 9, tzinfo=UTC))
    with frozen(auth_client, user, NOW), django_assert_num_queries(4):
        auth_client.get(f"{URL}/activity-breakdown")


# --- correlations -------------------------------------------------------------
@pytest.fixture
def correlation_history(user, other_user):
    mood(user, date(2026, 4, 1), 4, factors=["sleep"])
    mood(user, date(2026, 4, 2), 5, factors=["sleep"])
    mood(user, date(2026, 4, 3), 3, factors=["sleep"])
    mood(user, date(2026, 4, 3), 5)
    mood(user, date(2026, 4, 4), 2, factors=["work"])
    mood(user, date(2026, 4, 5), 1, factors=["work"])
    mood(user, date(2026, 4, 6), 3)
    mood(other_user, date(2026, 4, 4), 5, factors=["sleep"])
    for day in (1, 2, 3, 7):  # Apr 7 has no mood entry: not a mood day
        completed_session(user, datetime(2026, 4, day, 9, tzinfo=UTC))
    for day in (4, 5, 6):
        completed_session(user, datetime(2026, 4, day, 9, tzinfo=UTC), type="yoga")


def test_correlations_compare_mood_on_days_with_and_without(
    auth_client, user, correlation_history
):
    with frozen(auth_client, user, NOW):
        response = auth_client.get(
            f"{URL}/correlations", {"date_from": "2026-04-01", "date_to": "2026-04-10"}
        )

    assert response.status_code == 200
    # Day moods: 4, 5, 4 (mean of 3 and 5), 2, 1, 3. "work" has only 2 days.
    assert response.json() == {
        "date_from": "2026-04-01",
        "date_to": "2026-04-10",
        "correlations": [
            {
                "kind": "factor",
                "value": "sleep",
                "days_with_count": 3,
                "days_without_count": 3,
                "average_score_with": 4.33,
                "average_score_without": 2.0,
                "difference": 2.33,
            },
            {
                "kind": "session_type",
                "value": "meditation",
                "days_with_count": 3,
                "days_without_count": 3,
                "average_score_with": 4.33,
                "average_score_without": 2.0,
                "difference": 2.33,
            },
            {
                "kind": "session_type",
                "value": "yoga",
                "days_with_count": 3,
                "days_without_count": 3,
                "average_score_with": 2.0,
                "average_score_without": 4.33,
                "difference": -2.33,
            },
        ],
    }


def test_correlations_need_three_days_without(auth_client, user, correlation_history):
    with frozen(auth_client, user, NOW):
        body = auth_client.get(
            f"{URL}/correlations", {"date_from": "2026-04-01", "date_to": "2026-04-05"}
        ).json()
    # Mood days Apr 1-5: sleep has 3 with, 2 without; work 2 with.
    assert body == {
        "date_from": "2026-04-01",
        "date_to": "2026-04-05",
        "correlations": [],
    }


def test_correlations_reject_bad_input(auth_client):
    response = auth_client.get(
        f"{URL}/correlations", {"date_from": "2026-05-01", "date_to": "2026-04-01"}
    )
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"date_from"}


def test_correlations_query_count_is_fixed(
    auth_client, user, correlation_history, django_assert_num_queries
):
    with frozen(auth_client, user, NOW), django_assert_num_queries(2):
        auth_client.get(
            f"{URL}/correlations", {"date_from": "2026-04-01", "date_to": "2026-04-10"}
        )


# --- dashboard ----------------------------------------------------------------
def test_dashboard_numbers(auth_client, user, other_user):
    completed_session(
        user, datetime(2026, 4, 12, 8, tzinfo=UTC), seconds=1200
    )  # Sunday
    completed_session(user, datetime(2026, 4, 13, 8, tzinfo=UTC), seconds=900)
    completed_session(user, datetime(2026, 4, 14, 8, tzinfo=UTC), seconds=300)
    completed_session(user, datetime(2026, 4, 15, 8, tzinfo=UTC), seconds=600)
    completed_session(other_user, datetime(2026, 4, 15, 8, tzinfo=UTC), seconds=60)
    entries = [mood(user, date(2026, 4, 9 + i), 1 + i % 5, hour=9) for i in range(6)]
    active, _ = program_enroll(user=user, program=program_with_days(4, title="Active"))
    done, _ = program_enroll(user=user, program=program_with_days(1, title="Done"))
    enrollment_day_complete(enrollment=done, day_number=1)

    with time_machine.travel(datetime(2026, 4, 14, 9, tzinfo=UTC), tick=False):
        enrollment_day_complete(enrollment=active, day_number=1)
    with frozen(auth_client, user, NOW):
        body = auth_client.get(f"{URL}/dashboard").json()

    assert body["today"] == {"sessions_count": 1, "duration_seconds": 600}
    assert body["this_week"] == {"sessions_count": 3, "duration_seconds": 1800}
    assert body["current_streak"] == 4
    assert body["longest_streak"] == 4
    assert [m["id"] for m in body["latest_moods"]] == [e.pk for e in entries[::-1][:5]]
    assert "note" not in body["latest_moods"][0]
    assert [
        (e["program"]["title"], e["progress_percent"])
        for e in body["active_enrollments"]
    ] == [("Active", 25)]
    assert body["active_enrollments"][0]["next_day"] == {
        "day_number": 2,
        "unlocked": True,
        "unlocks_on": "2026-04-15",
    }
    # No achievement is defined here, so none is unlocked.
    assert body["achievements_count"] == 0
    # No event registration: null, never invented.
    assert body["next_event"] is None


def test_dashboard_in_gentle_mode_has_no_streak(auth_client, user):
    user.gentle_mode = True
    user.save(update_fields=["gentle_mode"])
    completed_session(user, datetime(2026, 4, 15, 8, tzinfo=UTC), seconds=600)
    with frozen(auth_client, user, NOW):
        response = auth_client.get(f"{URL}/dashboard")
    assert response.status_code == 200
    body = response.json()
    assert body["today"] == {"sessions_count": 1, "duration_seconds": 600}
    assert not {"current_streak", "longest_streak", "streak_freezes_available"} & set(
        body
    )


def test_dashboard_days_and_weeks_are_the_users_local_ones(auth_client, user):
    user.timezone = "Pacific/Auckland"
    user.save(update_fields=["timezone"])
    # Sunday Apr 12, 23:00 UTC is Monday Apr 13, 11:00 in Auckland: this week.
    completed_session(user, datetime(2026, 4, 12, 23, tzinfo=UTC), seconds=120)
    # Wednesday Apr 15, 13:00 UTC is Thursday Apr 16, 01:00 in Auckland: today.
    completed_session(user, datetime(2026, 4, 15, 13, tzinfo=UTC), seconds=300)
    with frozen(auth_client, user, datetime(2026, 4, 15, 14, tzinfo=UTC)):
        body = auth_client.get(f"{URL}/dashboard").json()
    assert body["today"] == {"sessions_count": 1, "duration_seconds": 300}
    assert body["this_week"] == {"sessions_count": 2, "duration_seconds": 420}
    # Apr 13 and Apr 16 with two missed days and no freeze: alive at 1 today.
    assert body["current_streak"] == 1


@pytest.mark.parametrize("count", [1, 3])
def test_dashboard_query_count_is_fixed(
    auth_client, user, count, django_assert_num_queries
):
    for i in range(count):
        completed_session(user, datetime(2026, 4, 13 + i % 3, 8, tzinfo=UTC))
        mood(user, date(2026, 4, 13), 3)
        program_enroll(user=user, program=program_with_days(2))
        event = WellnessEventFactory(starts_at=NOW + timedelta(days=i + 1))
        with time_machine.travel(NOW, tick=False):
            event_register(user=user, event=event)
    # Three: the user; practice, achievements and streak in one; the latest
    # moods, the enrollments with their programs and the next event in one.
    with frozen(auth_client, user, NOW), django_assert_num_queries(3):
        body = auth_client.get(f"{URL}/dashboard").json()
    assert len(body["active_enrollments"]) == count
    assert body["next_event"]["starts_at"] == "2026-04-16T10:00:00Z"


# --- the stats registry and privacy -------------------------------------------
def test_users_me_stats_provider(user):
    from accounts.registry import stats

    completed_session(user, datetime(2026, 4, 14, 8, tzinfo=UTC), seconds=600)
    completed_session(user, datetime(2026, 4, 15, 8, tzinfo=UTC), seconds=300)
    with time_machine.travel(NOW, tick=False):
        collected = stats.collect(user)
    assert {
        k: collected[k]
        for k in (
            "sessions_count",
            "duration_seconds",
            "current_streak",
            "longest_streak",
            "programs_enrolled_count",
            "programs_completed_count",
        )
    } == {
        "sessions_count": 2,
        "duration_seconds": 900,
        "current_streak": 2,
        "longest_streak": 2,
        "programs_enrolled_count": 0,
        "programs_completed_count": 0,
    }
    user.gentle_mode = True
    with time_machine.travel(NOW, tick=False):
        assert "current_streak" not in stats.collect(user)


def test_privacy_export_and_erase(user, other_user):
    from accounts.registry import privacy
    from wellness.models import ProgramEnrollment, Streak, WellnessSession

    completed_session(user, datetime(2026, 4, 14, 8, tzinfo=UTC))
    completed_session(other_user, datetime(2026, 4, 14, 8, tzinfo=UTC))
    program_enroll(user=user, program=program_with_days(1))
    handler = privacy.handlers["wellness"]

    exported = handler.export(user)
    assert len(exported["sessions"]) == 1
    # Instants in the one REST format (UTC, "Z"), like every API response.
    assert (
        exported["sessions"][0]["started_at"],
        exported["sessions"][0]["completed_at"],
    ) == ("2026-04-14T08:00:00Z", "2026-04-14T08:00:00Z")
    assert exported["streak"][0]["current_length"] == 1
    assert len(exported["enrollments"]) == 1

    handler.erase(user)
    assert not WellnessSession.objects.filter(user=user).exists()
    assert not Streak.objects.filter(user=user).exists()
    assert not ProgramEnrollment.objects.filter(user=user).exists()
    assert WellnessSession.objects.filter(user=other_user).count() == 1
    assert "wellness.WellnessProgram" in privacy.excluded
