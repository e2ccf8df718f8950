import asyncio
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from coaching.models import AIGenerationJob
from notifications import realtime
from wellness import events
from wellness.models import Streak, WellnessSession
from wellness.tests.factories import (
    WellnessSessionFactory,
    completed_session,
    frozen,
    program_with_days,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/sessions"
NOW = datetime(2026, 4, 15, 10, 0, tzinfo=UTC)  # a Wednesday
TYPES = ["meditation", "yoga", "sleep"]


def _start(client, **overrides):
    body = {
        "type": "breathing",
        "title": "Box breathing",
        "planned_duration_seconds": 300,
    }
    body.update(overrides)
    return client.post(URL, body, format="json")


def _generated(user) -> str:
    """The content_id of a finished AI generation job of the user's."""
    job = AIGenerationJob.objects.create(
        user=user,
        kind=AIGenerationJob.Kind.SESSION,
        status=AIGenerationJob.Status.SUCCEEDED,
        request_hash="0" * 64,
    )
    return str(job.content_id)


def _listen(user):
    """Join the user's realtime group on the configured channel layer."""
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(realtime.user_group(user.pk), channel)

    async def receive():
        # Never hang the suite on a message that was not sent.
        return await asyncio.wait_for(layer.receive(channel), timeout=2)

    return async_to_sync(receive)


# --- create ---------------------------------------------------------------
def test_start_session_returns_201_with_the_session(auth_client, user):
    client_id = str(uuid.uuid4())
    content_id = _generated(user)
    with frozen(auth_client, user, NOW):
        response = _start(
            auth_client,
            mood_before=2,
            client_id=client_id,
            generated_content_id=content_id,
        )

    assert response.status_code == 201
    body = response.json()
    assert (body["client_id"], body["generated_content_id"]) == (client_id, content_id)
    assert body["type"] == "breathing"
    assert body["status"] == "in_progress"
    assert body["mood_before"] == 2
    assert body["local_date"] == "2026-04-15"
    assert (body["enrollment_id"], body["program_day_id"]) == (None, None)
    assert not {"enrollment", "program_day", "position_seconds"} & set(body)
    assert WellnessSession.objects.get().user == user


def test_same_client_id_returns_the_same_session_with_200(auth_client):
    client_id = str(uuid.uuid4())
    first = _start(auth_client, client_id=client_id)
    again = _start(auth_client, client_id=client_id, title="Other title")

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["title"] == "Box breathing"
    assert WellnessSession.objects.count() == 1


def test_client_ids_are_scoped_per_user(auth_client, other_client):
    client_id = str(uuid.uuid4())
    assert _start(auth_client, client_id=client_id).status_code == 201
    assert _start(other_client, client_id=client_id).status_code == 201
    assert WellnessSession.objects.count() == 2


def test_start_session_rejects_bad_input(auth_client):
    response = _start(
        auth_client, type="napping", planned_duration_seconds=99999, mood_before=9
    )

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert set(error["fields"]) == {"type", "planned_duration_seconds", "mood_before"}
    assert WellnessSession.objects.count() == 0


def test_start_session_refuses_another_users_enrollment(auth_client, other_user):
    from wellness.services import program_enroll

    program = program_with_days(2)
    enrollment, _ = program_enroll(user=other_user, program=program)

    response = _start(auth_client, enrollment_id=enrollment.pk)

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "enrollment_id": ["No such enrollment."]
    }
    assert WellnessSession.objects.count() == 0


def test_start_session_without_generated_content_stores_none(auth_client):
    response = _start(auth_client)

    assert response.status_code == 201
    assert response.json()["generated_content_id"] == ""


@pytest.mark.parametrize("whose", ["another user's", "unknown"])
def test_start_session_refuses_generated_content_that_is_not_mine(
    auth_client, other_user, whose
):
    if whose == "another user's":
        content_id = _generated(other_user)
    else:
        content_id = str(uuid.uuid4())

    response = _start(auth_client, generated_content_id=content_id)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert error["fields"] == {"generated_content_id": ["No such generated content."]}
    assert WellnessSession.objects.count() == 0


def test_start_session_refuses_a_generated_content_id_that_is_not_a_uuid(
    auth_client,
):
    response = _start(auth_client, generated_content_id="g-7")

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "generated_content_id": ["Must be a valid UUID."]
    }
    assert WellnessSession.objects.count() == 0


def test_start_session_refuses_a_day_without_its_enrollment_or_from_another_program(
    auth_client, user
):
    from wellness.services import program_enroll

    enrollment, _ = program_enroll(user=user, program=program_with_days(2))
    foreign_day = program_with_days(1).days.get()

    orphan = _start(auth_client, program_day_id=foreign_day.pk)
    foreign = _start(
        auth_client, enrollment_id=enrollment.pk, program_day_id=foreign_day.pk
    )

    assert (orphan.status_code, foreign.status_code) == (400, 400)
    assert orphan.json()["error"]["code"] == "validation_error"
    assert orphan.json()["error"]["fields"] == {
        "enrollment_id": ["A program day needs its enrollment."]
    }
    assert foreign.json()["error"]["fields"] == {
        "program_day_id": ["No such day in this program."]
    }
    assert WellnessSession.objects.count() == 0


# --- list -----------------------------------------------------------------
def test_list_is_newest_first_and_only_mine(auth_client, user, other_user):
    old = WellnessSessionFactory(user=user, started_at=NOW - timedelta(days=1))
    new = WellnessSessionFactory(user=user, started_at=NOW)
    WellnessSessionFactory(user=other_user, started_at=NOW)

    response = auth_client.get(URL)

    assert response.status_code == 200
    assert [s["id"] for s in response.json()["results"]] == [new.pk, old.pk]
    assert response.json()["count"] == 2


def test_list_filters_by_type_status_and_local_date_range(auth_client, user):
    keep = WellnessSessionFactory(
        user=user, type="yoga", status="completed", local_date=date(2026, 4, 10)
    )
    WellnessSessionFactory(
        user=user, type="sleep", status="completed", local_date=date(2026, 4, 10)
    )
    WellnessSessionFactory(
        user=user, type="yoga", status="abandoned", local_date=date(2026, 4, 10)
    )
    WellnessSessionFactory(
        user=user, type="yoga", status="completed", local_date=date(2026, 4, 12)
    )

    response = auth_client.get(
        URL,
        {
            "type": "yoga",
            "status": "completed",
            "date_from": "2026-04-09",
            "date_to": "2026-04-11",
        },
    )

    assert [s["id"] for s in response.json()["results"]] == [keep.pk]


def test_list_rejects_bad_filters(auth_client):
    response = auth_client.get(URL, {"type": "napping", "date_from": "yesterday"})

    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"type", "date_from"}


@pytest.mark.parametrize("count", [1, 20])
def test_list_query_count_does_not_grow(
    auth_client, user, count, django_assert_num_queries
):
    WellnessSessionFactory.create_batch(count, user=user)
    # user, the page with its count
    with django_assert_num_queries(2):
        response = auth_client.get(URL)
    assert len(response.json()["results"]) == count


# --- detail ---------------------------------------------------------------
def test_detail_returns_my_session(auth_client, user):
    session = WellnessSessionFactory(user=user)
    response = auth_client.get(f"{URL}/{session.pk}")
    assert response.status_code == 200
    assert response.json()["id"] == session.pk


def test_detail_returns_404_for_other_users_session(auth_client, other_user):
    session = WellnessSessionFactory(user=other_user)
    response = auth_client.get(f"{URL}/{session.pk}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


# --- complete -------------------------------------------------------------
def test_complete_records_the_session_and_returns_the_streak(
    auth_client, user, django_capture_on_commit_callbacks
):
    session = WellnessSessionFactory(user=user, mood_before=2)
    received = []

    def receiver(**kwargs):
        received.append(kwargs)

    events.session_completed.connect(receiver, dispatch_uid="test-receiver")
    receive = _listen(user)
    try:
        with frozen(auth_client, user, NOW):
            with django_capture_on_commit_callbacks(execute=True):
                response = auth_client.patch(
                    f"{URL}/{session.pk}/complete",
                    {
                        "actual_duration_seconds": 540,
                        "mood_after": 4,
                        "notes": "calmer",
                    },
                    format="json",
                )
            # Read inside the frozen clock: in-memory messages expire after 60 s.
            message = receive()
    finally:
        events.session_completed.disconnect(dispatch_uid="test-receiver")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "completed"
    assert body["actual_duration_seconds"] == 540
    assert body["mood_after"] == 4
    assert body["notes"] == "calmer"
    assert body["program_day_counted"] is None
    assert body["streak"] == {
        "current_streak": 1,
        "longest_streak": 1,
        "streak_freezes_available": 0,
    }
    assert message == {
        "type": "user.event",
        "event": {
            "type": "session.completed",
            "data": {
                "session_id": session.pk,
                "type": "meditation",
                "duration_seconds": 540,
                "local_date": "2026-04-15",
                "current_streak": 1,
                "longest_streak": 1,
            },
        },
    }
    assert len(received) == 1
    assert received[0]["user_id"] == user.pk
    assert received[0]["session_id"] == session.pk
    assert received[0]["local_date"] == date(2026, 4, 15)


def test_second_completion_gives_409(auth_client, user):
    session = WellnessSessionFactory(user=user)
    url = f"{URL}/{session.pk}/complete"
    first = auth_client.patch(url, {"actual_duration_seconds": 60}, format="json")
    second = auth_client.patch(url, {"actual_duration_seconds": 999}, format="json")

    assert first.status_code == 200
    assert second.status_code == 409
    assert second.json()["error"]["code"] == "session_not_in_progress"
    session.refresh_from_db()
    assert session.actual_duration_seconds == 60


def test_complete_rejects_a_duration_beyond_the_maximum(auth_client, user):
    session = WellnessSessionFactory(user=user)
    response = auth_client.patch(
        f"{URL}/{session.pk}/complete",
        {"actual_duration_seconds": 4 * 3600 + 1, "mood_after": 0},
        format="json",
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert set(error["fields"]) == {"actual_duration_seconds", "mood_after"}
    session.refresh_from_db()
    assert session.status == "in_progress"


def test_complete_returns_404_for_other_users_session(auth_client, other_user):
    session = WellnessSessionFactory(user=other_user)
    response = auth_client.patch(
        f"{URL}/{session.pk}/complete", {"actual_duration_seconds": 60}, format="json"
    )
    assert response.status_code == 404
    session.refresh_from_db()
    assert (session.status, session.actual_duration_seconds) == ("in_progress", None)


def test_complete_in_gentle_mode_has_no_streak_fields(
    auth_client, user, django_capture_on_commit_callbacks
):
    user.gentle_mode = True
    user.save(update_fields=["gentle_mode"])
    session = WellnessSessionFactory(user=user)
    receive = _listen(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = auth_client.patch(
            f"{URL}/{session.pk}/complete",
            {"actual_duration_seconds": 60},
            format="json",
        )
    assert response.json()["streak"] == {}
    data = receive()["event"]["data"]
    assert "current_streak" not in data and "longest_streak" not in data


def test_completing_a_program_session_marks_the_day_done(auth_client, user):
    from wellness.services import program_enroll

    program = program_with_days(3)
    enrollment, _ = program_enroll(user=user, program=program)
    day1 = program.days.get(day_number=1)
    started = _start(auth_client, enrollment_id=enrollment.pk, program_day_id=day1.pk)
    assert started.status_code == 201
    assert (
        started.json()["enrollment_id"],
        started.json()["program_day_id"],
    ) == (enrollment.pk, day1.pk)

    response = auth_client.patch(
        f"{URL}/{started.json()['id']}/complete",
        {"actual_duration_seconds": 600},
        format="json",
    )

    assert response.json()["program_day_counted"] is True
    enrollment.refresh_from_db()
    assert (enrollment.days_completed, enrollment.progress_percent) == (1, 33)


def test_completing_a_session_for_a_locked_day_completes_it_and_leaves_the_program(
    auth_client, user
):
    from wellness.services import enrollment_day_complete, program_enroll

    program = program_with_days(3)
    enrollment, _ = program_enroll(user=user, program=program)
    day2 = program.days.get(day_number=2)
    with frozen(auth_client, user, NOW):
        enrollment_day_complete(enrollment=enrollment, day_number=1)
        # Day 2 unlocks tomorrow: the session still completes, the day stays open.
        started = _start(
            auth_client, enrollment_id=enrollment.pk, program_day_id=day2.pk
        )
        response = auth_client.patch(
            f"{URL}/{started.json()['id']}/complete",
            {"actual_duration_seconds": 600},
            format="json",
        )

    assert response.status_code == 200
    assert response.json()["status"] == "completed"
    assert response.json()["streak"]["current_streak"] == 1
    # The response says the day did not count.
    assert response.json()["program_day_counted"] is False
    enrollment.refresh_from_db()
    assert (enrollment.days_completed, enrollment.progress_percent) == (1, 33)


# --- progress and abandon ---------------------------------------------------
def test_progress_is_stored_and_pushed_to_the_users_devices(
    auth_client, user, django_capture_on_commit_callbacks
):
    session = WellnessSessionFactory(user=user)
    receive = _listen(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = auth_client.patch(
            f"{URL}/{session.pk}/progress",
            {"progress_seconds": 120, "device_id": "phone"},
            format="json",
        )
    assert response.status_code == 200
    assert response.json()["progress_seconds"] == 120
    assert receive()["event"] == {
        "type": "session.progress",
        "data": {
            "session_id": session.pk,
            "progress_seconds": 120,
            "planned_duration_seconds": 600,
            "device_id": "phone",
        },
    }


def test_progress_rejects_bad_input_and_finished_sessions(auth_client, user):
    session = WellnessSessionFactory(user=user)
    bad = auth_client.patch(
        f"{URL}/{session.pk}/progress", {"progress_seconds": -1}, format="json"
    )
    assert bad.status_code == 400
    assert set(bad.json()["error"]["fields"]) == {"progress_seconds"}

    done = WellnessSessionFactory(user=user, status="completed")
    late = auth_client.patch(
        f"{URL}/{done.pk}/progress", {"progress_seconds": 1}, format="json"
    )
    assert late.status_code == 409


def test_progress_returns_404_for_other_users_session(auth_client, other_user):
    session = WellnessSessionFactory(user=other_user)
    response = auth_client.patch(
        f"{URL}/{session.pk}/progress", {"progress_seconds": 30}, format="json"
    )
    assert response.status_code == 404
    session.refresh_from_db()
    assert session.progress_seconds == 0


def test_abandon_then_abandon_again_gives_409(auth_client, user):
    session = WellnessSessionFactory(user=user)
    first = auth_client.post(f"{URL}/{session.pk}/abandon")
    second = auth_client.post(f"{URL}/{session.pk}/abandon")
    assert first.status_code == 200
    assert first.json()["status"] == "abandoned"
    assert second.status_code == 409


def test_completing_an_abandoned_session_gives_409(auth_client, user):
    session = WellnessSessionFactory(user=user)
    auth_client.post(f"{URL}/{session.pk}/abandon")

    response = auth_client.patch(
        f"{URL}/{session.pk}/complete", {"actual_duration_seconds": 60}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "session_not_in_progress"
    session.refresh_from_db()
    assert (session.status, session.actual_duration_seconds) == ("abandoned", None)
    assert not Streak.objects.filter(user=user).exists()


def test_abandon_returns_404_for_other_users_session(auth_client, other_user):
    session = WellnessSessionFactory(user=other_user)
    assert auth_client.post(f"{URL}/{session.pk}/abandon").status_code == 404
    session.refresh_from_db()
    assert session.status == "in_progress"


# --- stats ----------------------------------------------------------------
def test_stats_match_hand_computed_values(auth_client, user, other_user):
    # Last week (Apr 6-12) and this week (Apr 13-15), user in UTC.
    completed_session(
        user,
        datetime(2026, 4, 8, 9, tzinfo=UTC),
        type="yoga",
        seconds=1200,
        mood_before=2,
        mood_after=4,
    )
    completed_session(
        user,
        datetime(2026, 4, 13, 9, tzinfo=UTC),
        seconds=600,
        mood_before=3,
        mood_after=3,
    )
    completed_session(user, datetime(2026, 4, 14, 9, tzinfo=UTC), seconds=300)
    completed_session(
        user,
        datetime(2026, 4, 15, 9, tzinfo=UTC),
        type="yoga",
        seconds=900,
        mood_before=1,
        mood_after=4,
    )
    WellnessSessionFactory(user=user)  # in progress: not counted
    completed_session(other_user, datetime(2026, 4, 15, 9, tzinfo=UTC), seconds=60)

    with frozen(auth_client, user, NOW):
        body = auth_client.get(f"{URL}/stats").json()

    assert body["sessions_count"] == 4
    assert body["duration_seconds"] == 3000
    by_type = {row["type"]: row for row in body["by_type"]}
    assert by_type["yoga"] == {
        "type": "yoga",
        "sessions_count": 2,
        "duration_seconds": 2100,
    }
    assert by_type["meditation"] == {
        "type": "meditation",
        "sessions_count": 2,
        "duration_seconds": 900,
    }
    assert by_type["sleep"] == {
        "type": "sleep",
        "sessions_count": 0,
        "duration_seconds": 0,
    }
    assert body["this_week"] == {"sessions_count": 3, "duration_seconds": 1800}
    assert body["last_week"] == {"sessions_count": 1, "duration_seconds": 1200}
    # (+2, 0, +3) / 3
    assert body["average_mood_change"] == 1.67
    assert body["mood_change_sessions_count"] == 3
    assert body["current_streak"] == 3
    assert body["longest_streak"] == 3


def test_stats_in_gentle_mode_omit_streaks(auth_client, user):
    user.gentle_mode = True
    user.save(update_fields=["gentle_mode"])
    completed_session(user, datetime(2026, 4, 15, 9, tzinfo=UTC))
    with frozen(auth_client, user, NOW):
        body = auth_client.get(f"{URL}/stats").json()
    assert body["sessions_count"] == 1
    assert not {"current_streak", "longest_streak", "streak_freezes_available"} & set(
        body
    )


def test_stats_use_the_users_local_week(auth_client, user):
    user.timezone = "Pacific/Auckland"
    user.save(update_fields=["timezone"])
    # Sunday Apr 12, 23:00 UTC is Monday Apr 13, 11:00 in Auckland: this week.
    completed_session(user, datetime(2026, 4, 12, 23, tzinfo=UTC), seconds=120)
    with frozen(auth_client, user, NOW):
        body = auth_client.get(f"{URL}/stats").json()
    assert body["this_week"] == {"sessions_count": 1, "duration_seconds": 120}
    assert body["last_week"] == {"sessions_count": 0, "duration_seconds": 0}


@pytest.mark.parametrize("count", [1, 3])
def test_stats_run_a_fixed_number_of_queries(
    auth_client, user, count, django_assert_num_queries
):
    for offset in range(count):
        completed_session(user, NOW - timedelta(days=offset), type=TYPES[offset])
    # user, totals, per type, streak
    with frozen(auth_client, user, NOW), django_assert_num_queries(4):
        body = auth_client.get(f"{URL}/stats").json()
    assert (body["sessions_count"], body["current_streak"]) == (count, count)


# --- delta sync (updated_since) ------------------------------------------------
def test_sessions_delta_sync_lists_the_sessions_changed_since(
    auth_client, user, other_user
):
    with time_machine.travel(NOW, tick=False):
        untouched = WellnessSessionFactory(user=user)
        progressed = WellnessSessionFactory(user=user)
        abandoned = WellnessSessionFactory(user=user)
        WellnessSessionFactory(user=other_user)
    with frozen(auth_client, user, NOW + timedelta(minutes=5)):
        assert auth_client.post(f"{URL}/{abandoned.pk}/abandon").status_code == 200
    with frozen(auth_client, user, NOW + timedelta(minutes=10)):
        progress = auth_client.patch(
            f"{URL}/{progressed.pk}/progress", {"progress_seconds": 30}, format="json"
        )
        assert progress.status_code == 200
        response = auth_client.get(URL, {"updated_since": "2026-04-15T10:01:00Z"})
        everything = auth_client.get(URL).json()["results"]

    assert response.status_code == 200
    assert [
        (r["id"], r["status"], r["updated_at"]) for r in response.json()["results"]
    ] == [
        (abandoned.pk, "abandoned", "2026-04-15T10:05:00Z"),
        (progressed.pk, "in_progress", "2026-04-15T10:10:00Z"),
    ]
    assert untouched.pk in {r["id"] for r in everything}


@pytest.mark.parametrize("value", ["2026-04-15T10:01:00", "soon"])
def test_sessions_updated_since_must_be_an_instant_with_an_offset(auth_client, value):
    response = auth_client.get(URL, {"updated_since": value})

    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"updated_since"}
