"""The wellness routes as the router builds them, and the list filters as the
``*ListInput`` serializers read them."""

import pytest

from wellness import services
from wellness.exceptions import SessionDurationError
from wellness.tests.factories import (
    WellnessProgramFactory,
    WellnessSessionFactory,
    program_with_days,
)

pytestmark = pytest.mark.django_db


def test_every_wellness_get_gives_the_same_answer_with_and_without_a_slash(
    auth_client, user
):
    session = WellnessSessionFactory(user=user)
    program = program_with_days(2)
    paths = [
        "/api/v1/sessions",
        "/api/v1/sessions/stats",
        f"/api/v1/sessions/{session.pk}",
        "/api/v1/programs",
        f"/api/v1/programs/{program.pk}",
        "/api/v1/programs/enrollments/my",
        "/api/v1/analytics/dashboard",
        "/api/v1/analytics/mood-trends",
        "/api/v1/analytics/activity-breakdown",
        "/api/v1/analytics/correlations",
    ]
    for path in paths:
        plain = auth_client.get(path)
        slashed = auth_client.get(f"{path}/")
        assert plain.status_code == slashed.status_code == 200, path
        assert plain.json() == slashed.json(), path


def test_writes_work_on_the_slashed_spelling(auth_client, user):
    program = program_with_days(2)
    enrolled = auth_client.post(f"/api/v1/programs/{program.pk}/enroll/")
    assert enrolled.status_code == 201
    progressed = auth_client.patch(
        f"/api/v1/programs/enrollments/{enrolled.json()['id']}/progress/",
        {"day_number": 1},
        format="json",
    )
    assert progressed.status_code == 200
    assert progressed.json()["days_completed_count"] == 1

    first = WellnessSessionFactory(user=user)
    second = WellnessSessionFactory(user=user)
    completed = auth_client.patch(
        f"/api/v1/sessions/{first.pk}/complete/",
        {"actual_duration_seconds": 60},
        format="json",
    )
    assert completed.status_code == 200
    assert completed.json()["status"] == "completed"
    abandoned = auth_client.post(f"/api/v1/sessions/{second.pk}/abandon/")
    assert abandoned.status_code == 200
    assert abandoned.json()["status"] == "abandoned"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/sessions/abc"),
        ("patch", "/api/v1/sessions/abc/complete"),
        ("post", "/api/v1/sessions/abc/abandon"),
        ("get", "/api/v1/programs/abc"),
        ("post", "/api/v1/programs/abc/enroll"),
        ("patch", "/api/v1/programs/enrollments/abc/progress"),
    ],
)
def test_an_id_that_is_not_a_number_is_not_found(auth_client, method, path):
    response = getattr(auth_client, method)(path, {}, format="json")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_empty_session_filters_are_refused_as_the_schema_says(auth_client, user):
    WellnessSessionFactory.create_batch(2, user=user)

    response = auth_client.get("/api/v1/sessions?type=&status=&date_from=&date_to=")

    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {
        "type",
        "status",
        "date_from",
        "date_to",
    }


def test_an_empty_updated_since_is_still_refused(auth_client):
    response = auth_client.get("/api/v1/sessions?updated_since=")

    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"updated_since"}


def test_empty_program_filters_are_refused_as_the_schema_says(auth_client):
    WellnessProgramFactory.create_batch(2)

    response = auth_client.get("/api/v1/programs?category=&difficulty=&premium=")

    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {
        "category",
        "difficulty",
        "premium",
    }


def test_a_blank_program_search_is_no_filter(auth_client):
    programs = WellnessProgramFactory.create_batch(2)

    response = auth_client.get("/api/v1/programs?search=%20")

    assert response.status_code == 200
    assert {p["id"] for p in response.json()["results"]} == {p.pk for p in programs}


@pytest.mark.parametrize(("value", "expected"), [("TRUE", [True]), ("0", [False])])
def test_premium_filter_reads_true_false_one_and_zero(auth_client, value, expected):
    WellnessProgramFactory(is_premium=True)
    WellnessProgramFactory(is_premium=False)

    response = auth_client.get("/api/v1/programs", {"premium": value})

    assert [p["is_premium"] for p in response.json()["results"]] == expected


def test_an_unknown_premium_value_is_refused(auth_client):
    WellnessProgramFactory(is_premium=True)

    response = auth_client.get("/api/v1/programs", {"premium": "maybe"})

    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"premium"}


def test_the_same_filters_in_another_order_share_one_cached_page(
    auth_client, django_assert_num_queries
):
    WellnessProgramFactory(title="Sleep well", category="sleep")
    auth_client.get("/api/v1/programs?category=sleep&search=sleep")
    WellnessProgramFactory(title="Sleep better", category="sleep")

    with django_assert_num_queries(1):  # only the authenticated user
        response = auth_client.get("/api/v1/programs?search=sleep&category=sleep")

    assert [p["title"] for p in response.json()["results"]] == ["Sleep well"]


def test_a_bad_filter_is_refused_even_when_the_cache_is_warm(auth_client):
    auth_client.get("/api/v1/programs")

    response = auth_client.get("/api/v1/programs", {"category": "juggling"})

    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"category"}


@pytest.mark.parametrize("seconds", [0, 4 * 3600 + 1])
def test_session_complete_refuses_a_duration_out_of_range_with_the_field(user, seconds):
    session = WellnessSessionFactory(user=user)

    with pytest.raises(SessionDurationError) as refused:
        services.session_complete(session=session, actual_duration_seconds=seconds)

    assert refused.value.status_code == 400
    assert refused.value.code == "validation_error"
    assert set(refused.value.fields) == {"actual_duration_seconds"}
    session.refresh_from_db()
    assert session.status == "in_progress"
