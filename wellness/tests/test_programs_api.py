from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from accounts.models import User
from notifications.models import ScheduledNotification
from wellness.models import ProgramDayProgress, ProgramEnrollment
from wellness.services import program_enroll
from wellness.tests.factories import (
    WellnessProgramFactory,
    frozen,
    program_with_days,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/programs"
LA = ZoneInfo("America/Los_Angeles")


# --- list -----------------------------------------------------------------
def test_list_shows_published_programs_in_order(auth_client):
    second = WellnessProgramFactory(ordering=2, title="Sleep better")
    first = WellnessProgramFactory(ordering=1, title="Calm mind")
    WellnessProgramFactory(is_published=False)

    response = auth_client.get(URL)

    assert response.status_code == 200
    assert [p["id"] for p in response.json()["results"]] == [first.pk, second.pk]
    assert response.json()["results"][0]["title"] == "Calm mind"


def test_list_filters_and_searches(auth_client):
    match = WellnessProgramFactory(
        title="Deep sleep reset",
        category="sleep",
        difficulty="advanced",
        is_premium=True,
    )
    WellnessProgramFactory(
        title="Deep sleep lite",
        category="sleep",
        difficulty="beginner",
        is_premium=True,
    )
    WellnessProgramFactory(
        title="Deep sleep free",
        category="sleep",
        difficulty="advanced",
        is_premium=False,
    )
    WellnessProgramFactory(
        title="Focus sprint", category="focus", difficulty="advanced", is_premium=True
    )

    response = auth_client.get(
        URL,
        {
            "category": "sleep",
            "difficulty": "advanced",
            "premium": "true",
            "search": "SLEEP",
        },
    )

    assert [p["id"] for p in response.json()["results"]] == [match.pk]


def test_list_rejects_bad_filters(auth_client):
    response = auth_client.get(URL, {"category": "juggling", "difficulty": "expert"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert set(error["fields"]) == {"category", "difficulty"}


@pytest.mark.parametrize("count", [1, 3])
def test_list_query_count_does_not_grow(auth_client, count, django_assert_num_queries):
    WellnessProgramFactory.create_batch(count)
    with django_assert_num_queries(2):  # user, count, page
        response = auth_client.get(URL)
    assert len(response.json()["results"]) == count


def test_list_is_served_from_the_cache(auth_client, django_assert_num_queries):
    WellnessProgramFactory(title="Cached")
    auth_client.get(URL)
    WellnessProgramFactory(title="Added behind the cache's back")

    with django_assert_num_queries(1):  # only the authenticated user
        response = auth_client.get(URL)

    assert [p["title"] for p in response.json()["results"]] == ["Cached"]


# --- detail ---------------------------------------------------------------
def test_detail_without_enrollment_has_days_and_no_progress(auth_client):
    program = program_with_days(2)
    response = auth_client.get(f"{URL}/{program.pk}")

    assert response.status_code == 200
    body = response.json()
    assert [d["day_number"] for d in body["days"]] == [1, 2]
    assert [d["status"] for d in body["days"]] == [None, None]
    # Days are authored in minutes (10 in the factory); the API speaks seconds.
    assert [d["duration_seconds"] for d in body["days"]] == [600, 600]
    assert "duration_minutes" not in body["days"][0]
    assert body["enrollment"] is None


def test_detail_of_an_unpublished_program_is_404(auth_client):
    program = program_with_days(2, is_published=False)
    assert auth_client.get(f"{URL}/{program.pk}").status_code == 404


def test_detail_for_an_enrolled_user_shows_done_and_next_unlocked(auth_client, user):
    program = program_with_days(3)
    with frozen(auth_client, user, datetime(2026, 5, 1, 9, tzinfo=UTC)):
        enrollment, _ = program_enroll(user=user, program=program)
        auth_client.patch(
            f"{URL}/enrollments/{enrollment.pk}/progress",
            {"day_number": 1},
            format="json",
        )
        same_day = auth_client.get(f"{URL}/{program.pk}").json()
    with frozen(auth_client, user, datetime(2026, 5, 2, 9, tzinfo=UTC)):
        next_day = auth_client.get(f"{URL}/{program.pk}").json()

    assert [d["status"] for d in same_day["days"]] == ["done", "locked", "locked"]
    assert same_day["enrollment"]["next_day"] == {
        "day_number": 2,
        "unlocked": False,
        "unlocks_on": "2026-05-02",
    }
    assert [d["status"] for d in next_day["days"]] == ["done", "unlocked", "locked"]
    assert next_day["enrollment"]["progress_percent"] == 33


@pytest.mark.parametrize("days", [1, 5])
def test_detail_runs_a_fixed_number_of_queries(
    auth_client, user, days, django_assert_num_queries
):
    program = program_with_days(days)
    program_enroll(user=user, program=program)
    # user, program, days, enrollment
    with django_assert_num_queries(4):
        body = auth_client.get(f"{URL}/{program.pk}").json()
    assert len(body["days"]) == days


# --- enroll ---------------------------------------------------------------
def test_enroll_is_idempotent(auth_client, user):
    program = program_with_days(2)
    first = auth_client.post(f"{URL}/{program.pk}/enroll")
    again = auth_client.post(f"{URL}/{program.pk}/enroll")

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["next_day"]["day_number"] == 1
    assert first.json()["next_day"]["unlocked"] is True
    assert ProgramEnrollment.objects.filter(user=user).count() == 1


def test_premium_program_refuses_a_free_user_with_403(auth_client, user):
    program = program_with_days(2, is_premium=True)
    response = auth_client.post(f"{URL}/{program.pk}/enroll")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "premium_required"
    assert not ProgramEnrollment.objects.exists()


def test_premium_program_accepts_a_premium_user(auth_client, user):
    user.subscription_tier = User.Tier.PREMIUM
    user.save(update_fields=["subscription_tier"])
    program = program_with_days(2, is_premium=True)
    assert auth_client.post(f"{URL}/{program.pk}/enroll").status_code == 201


def test_an_expired_premium_subscription_is_refused_like_a_free_one(auth_client, user):
    user.subscription_tier = User.Tier.PREMIUM
    user.subscription_expires_at = datetime(2026, 4, 30, tzinfo=UTC)
    user.save(update_fields=["subscription_tier", "subscription_expires_at"])
    program = program_with_days(2, is_premium=True)

    with frozen(auth_client, user, datetime(2026, 5, 1, tzinfo=UTC)):
        response = auth_client.post(f"{URL}/{program.pk}/enroll")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "premium_required"
    assert not ProgramEnrollment.objects.exists()


def test_enroll_in_unpublished_program_is_404(auth_client):
    program = program_with_days(2, is_published=False)
    assert auth_client.post(f"{URL}/{program.pk}/enroll").status_code == 404
    assert not ProgramEnrollment.objects.exists()


# --- my enrollments -----------------------------------------------------------
def test_enrollments_my_is_not_taken_for_a_program_id(auth_client, user, other_user):
    mine = program_enroll(user=user, program=program_with_days(2))[0]
    program_enroll(user=other_user, program=program_with_days(2))

    response = auth_client.get(f"{URL}/enrollments/my")

    assert response.status_code == 200
    assert [e["id"] for e in response.json()["results"]] == [mine.pk]


@pytest.mark.parametrize("count", [1, 3])
def test_enrollments_query_count_does_not_grow(
    auth_client, user, count, django_assert_num_queries
):
    for _ in range(count):
        program_enroll(user=user, program=program_with_days(2))
    with django_assert_num_queries(2):  # user, count, page with programs
        response = auth_client.get(f"{URL}/enrollments/my")
    assert len(response.json()["results"]) == count


# --- progress -------------------------------------------------------------
def _progress(client, enrollment, day_number):
    return client.patch(
        f"{URL}/enrollments/{enrollment.pk}/progress",
        {"day_number": day_number},
        format="json",
    )


def test_days_unlock_one_per_local_day(auth_client, user):
    user.timezone = "America/Los_Angeles"
    user.save(update_fields=["timezone"])
    program = program_with_days(3)
    enrollment, _ = program_enroll(user=user, program=program)

    # May 1, 20:00 in Los Angeles (already May 2 in UTC).
    with frozen(auth_client, user, datetime(2026, 5, 1, 20, tzinfo=LA)):
        done = _progress(auth_client, enrollment, 1)
        too_soon = _progress(auth_client, enrollment, 2)
    # 23:30 the same local day: the UTC date has changed, the local one has not.
    with frozen(auth_client, user, datetime(2026, 5, 1, 23, 30, tzinfo=LA)):
        still_locked = _progress(auth_client, enrollment, 2)
        skipping = _progress(auth_client, enrollment, 3)
    with frozen(auth_client, user, datetime(2026, 5, 2, 0, 5, tzinfo=LA)):
        unlocked = _progress(auth_client, enrollment, 2)
        earlier = _progress(auth_client, enrollment, 1)

    assert done.status_code == 200
    assert done.json()["progress_percent"] == 33
    assert done.json()["days_completed_count"] == 1
    for refused in (too_soon, still_locked, skipping):
        assert refused.status_code == 409
        assert refused.json()["error"]["code"] == "program_day_locked"
    assert unlocked.status_code == 200
    assert unlocked.json()["progress_percent"] == 66
    assert earlier.status_code == 200
    assert earlier.json()["days_completed_count"] == 2
    assert list(
        ProgramDayProgress.objects.order_by("day_number").values_list(
            "day_number", "local_date"
        )
    ) == [(1, date(2026, 5, 1)), (2, date(2026, 5, 2))]


def test_last_day_completes_the_program(auth_client, user):
    program = program_with_days(2)
    enrollment, _ = program_enroll(user=user, program=program)
    start = datetime(2026, 5, 1, 9, tzinfo=UTC)
    with frozen(auth_client, user, start):
        _progress(auth_client, enrollment, 1)
    with frozen(auth_client, user, start + timedelta(days=1)):
        body = _progress(auth_client, enrollment, 2).json()

    assert body["progress_percent"] == 100
    assert body["completed_at"] == "2026-05-02T09:00:00Z"
    assert body["next_day"] is None


def test_next_day_ready_is_scheduled_for_the_users_local_morning(auth_client, user):
    user.timezone = "America/Los_Angeles"
    user.save(update_fields=["timezone"])
    program = program_with_days(3)
    enrollment, _ = program_enroll(user=user, program=program)

    with frozen(auth_client, user, datetime(2026, 5, 1, 20, tzinfo=LA)):
        _progress(auth_client, enrollment, 1)

    scheduled = ScheduledNotification.objects.get(user=user)
    assert scheduled.type == "program_day_ready"
    assert scheduled.dedupe_key == f"program_day:{enrollment.pk}:2"
    # 08:00 PDT on May 2 is 15:00 UTC.
    assert scheduled.send_at == datetime(2026, 5, 2, 15, 0, tzinfo=UTC)
    assert scheduled.data == {
        "program_id": program.pk,
        "enrollment_id": enrollment.pk,
        "day_number": 2,
    }


def test_progress_rejects_bad_input(auth_client, user):
    enrollment, _ = program_enroll(user=user, program=program_with_days(2))
    for body, field in (({"day_number": 0}, "day_number"), ({}, "day_number")):
        response = auth_client.patch(
            f"{URL}/enrollments/{enrollment.pk}/progress", body, format="json"
        )
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "validation_error"
        assert set(response.json()["error"]["fields"]) == {field}
    missing = _progress(auth_client, enrollment, 9)
    assert missing.status_code == 400
    assert set(missing.json()["error"]["fields"]) == {"day_number"}


def test_progress_on_another_users_enrollment_is_404(auth_client, other_user):
    enrollment, _ = program_enroll(user=other_user, program=program_with_days(2))
    response = _progress(auth_client, enrollment, 1)

    assert response.status_code == 404
    enrollment.refresh_from_db()
    assert (enrollment.days_completed, enrollment.progress_percent) == (0, 0)
    assert not ProgramDayProgress.objects.exists()


def test_premium_day_content_is_hidden_from_a_free_user(auth_client, user):
    program = program_with_days(2, is_premium=True)

    days = auth_client.get(f"{URL}/{program.pk}").json()["days"]

    assert [d["content"] for d in days] == [None, None]
    assert [d["title"] for d in days] == [
        d.title for d in program.days.order_by("day_number")
    ]


def test_premium_day_content_is_shown_to_a_premium_user(auth_client, user):
    user.subscription_tier = User.Tier.PREMIUM
    user.save(update_fields=["subscription_tier"])
    program = program_with_days(2, is_premium=True)

    days = auth_client.get(f"{URL}/{program.pk}").json()["days"]

    assert [d["content"] for d in days] == [
        d.content for d in program.days.order_by("day_number")
    ]
    assert all(days[i]["content"] for i in range(2))


def test_free_program_content_is_shown_to_everyone(auth_client, user):
    program = program_with_days(2, is_premium=False)

    days = auth_client.get(f"{URL}/{program.pk}").json()["days"]

    assert all(d["content"] for d in days)
