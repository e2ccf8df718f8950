"""The directory and the slots endpoint."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.test import Client

from accounts.tests.factories import UserFactory
from coaching.models import AvailabilityException
from coaching.tests.factories import TherapistFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/therapists"


def test_list_requires_auth(api_client):
    assert api_client.get(LIST).status_code == 401


def test_list_shows_active_therapists_by_name_with_and_without_slash(auth_client):
    b = TherapistFactory(display_name="Dr B")
    a = TherapistFactory(display_name="Dr A")
    TherapistFactory(display_name="Dr Gone", is_active=False)

    for path in (LIST, LIST + "/"):
        body = auth_client.get(path).json()
        assert body["count"] == 2
        assert [t["id"] for t in body["results"]] == [a.pk, b.pk]
    first = body["results"][0]
    assert first["display_name"] == "Dr A"
    assert first["specialties"] == ["anxiety", "grief"]
    assert first["session_duration_seconds"] == 3000
    assert "bio" not in first


def test_list_filters(auth_client):
    grief = TherapistFactory(display_name="Ana Grief", specialties=["Grief"])
    spanish = TherapistFactory(
        display_name="Beto", specialties=["anxiety"], languages=["en", "es"]
    )
    closed = TherapistFactory(
        display_name="Cleo", specialties=["trauma"], accepts_new_clients=False
    )

    def ids(query: str) -> list[int]:
        return [t["id"] for t in auth_client.get(f"{LIST}?{query}").json()["results"]]

    assert ids("specialty=grief") == [grief.pk]
    assert ids("specialty=grie") == []
    assert ids("language=es") == [spanish.pk]
    assert ids("accepts_new_clients=false") == [closed.pk]
    assert ids("accepts_new_clients=true") == [grief.pk, spanish.pk]
    assert ids("search=bet") == [spanish.pk]
    assert ids("") == [grief.pk, spanish.pk, closed.pk]


def test_list_bad_filter_is_400(auth_client):
    response = auth_client.get(f"{LIST}?accepts_new_clients=maybe")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert "accepts_new_clients" in response.json()["error"]["fields"]


@pytest.mark.parametrize("count", [1, 3])
def test_list_query_count_does_not_grow(auth_client, count, django_assert_num_queries):
    TherapistFactory.create_batch(count)

    # auth user, the page with its count.
    with django_assert_num_queries(2):
        response = auth_client.get(LIST)
    assert response.json()["count"] == count


def test_list_is_cached_and_an_admin_change_invalidates_it(
    auth_client, django_capture_on_commit_callbacks
):
    therapist = TherapistFactory(display_name="Before")
    assert auth_client.get(LIST).json()["results"][0]["display_name"] == "Before"

    # A change that bypasses the admin is not seen: the page is cached.
    type(therapist).objects.filter(pk=therapist.pk).update(display_name="Silent")
    assert auth_client.get(LIST).json()["results"][0]["display_name"] == "Before"

    staff = UserFactory(is_staff=True, is_superuser=True)
    admin = Client()
    admin.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            f"/admin/coaching/therapist/{therapist.pk}/change/",
            {
                "display_name": "After",
                "timezone": "Europe/London",
                "specialties": '["anxiety"]',
                "approaches": "[]",
                "languages": '["en"]',
                "session_duration_seconds": 3000,
                "buffer_seconds": 600,
                "min_notice_seconds": 86400,
                "max_bookings_per_day": 6,
                "price_cents": 9000,
                "currency": "USD",
                "accepts_new_clients": "on",
                "is_active": "on",
                "rating_count": 0,
                "windows-TOTAL_FORMS": 0,
                "windows-INITIAL_FORMS": 0,
                "exceptions-TOTAL_FORMS": 0,
                "exceptions-INITIAL_FORMS": 0,
            },
        )
    assert response.status_code == 302, response.content[:2000]

    assert auth_client.get(LIST).json()["results"][0]["display_name"] == "After"


def test_detail_shows_the_full_profile(auth_client, therapist):
    body = auth_client.get(f"{LIST}/{therapist.pk}").json()

    assert body["id"] == therapist.pk
    assert body["approaches"] == ["CBT"]
    assert body["min_notice_seconds"] == 86400
    assert "bio" in body


def test_detail_of_an_inactive_or_unknown_therapist_is_404(auth_client):
    gone = TherapistFactory(is_active=False)

    for pk in (gone.pk, 999999):
        response = auth_client.get(f"{LIST}/{pk}")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"


# --- slots --------------------------------------------------------------------
def test_slots_in_utc_and_in_the_users_time_zone(auth_client, user, therapist):
    user.timezone = "America/New_York"
    user.save(update_fields=["timezone"])

    response = auth_client.get(
        f"{LIST}/{therapist.pk}/slots?date_from=2027-03-15&date_to=2027-03-15"
    )

    assert response.status_code == 200
    body = response.json()
    assert body["therapist_id"] == therapist.pk
    assert body["timezone"] == "America/New_York"
    # Monday 15 March in New York (EDT, UTC-4) is 04:00Z..04:00Z next day; the
    # London therapist works 09:00-17:00 GMT.
    assert [s["starts_at"] for s in body["slots"]] == [
        f"2027-03-15T{h:02d}:00:00Z" for h in range(9, 17)
    ]
    assert body["slots"][0]["ends_at"] == "2027-03-15T09:50:00Z"
    assert body["slots"][0]["local_starts_at"] == "2027-03-15T05:00:00-04:00"
    assert body["slots"][0]["local_ends_at"] == "2027-03-15T05:50:00-04:00"


def test_slots_respect_minimum_notice_and_time_off(auth_client, therapist):
    AvailabilityException.objects.create(
        therapist=therapist, date="2027-03-03", kind="time_off"
    )

    body = auth_client.get(
        f"{LIST}/{therapist.pk}/slots?date_from=2027-03-01&date_to=2027-03-03"
    ).json()

    # Now is Monday 10:00Z; 24 h notice leaves Tuesday from 10:00.
    assert [s["starts_at"] for s in body["slots"]] == [
        f"2027-03-02T{h:02d}:00:00Z" for h in range(10, 17)
    ]


def test_slots_default_to_a_week_from_today(auth_client, therapist):
    body = auth_client.get(f"{LIST}/{therapist.pk}/slots").json()

    assert body["date_from"] == "2027-03-01"
    assert body["date_to"] == "2027-03-07"
    # Tuesday 7, Wednesday to Friday 8 each.
    assert len(body["slots"]) == 7 + 3 * 8


@pytest.mark.parametrize(
    "query",
    [
        "date_from=2027-03-10&date_to=2027-03-09",
        "date_from=2027-03-01&date_to=2027-04-01",
        "date_from=yesterday",
        "date_to=2027-02-01",
    ],
)
def test_slots_bad_ranges_are_400(auth_client, therapist, query):
    response = auth_client.get(f"{LIST}/{therapist.pk}/slots?{query}")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"


def test_slots_accept_a_range_of_31_days(auth_client, therapist):
    response = auth_client.get(
        f"{LIST}/{therapist.pk}/slots?date_from=2027-03-01&date_to=2027-03-31"
    )

    assert response.status_code == 200


def test_slots_of_an_inactive_therapist_are_404(auth_client):
    gone = TherapistFactory(is_active=False)

    assert auth_client.get(f"{LIST}/{gone.pk}/slots").status_code == 404


def test_list_filters_by_a_bookable_slot_in_a_date_range(auth_client, user):
    weekdays = TherapistFactory(display_name="A weekdays")
    TherapistFactory(display_name="B no hours", weekdays=[])
    saturday = TherapistFactory(display_name="C saturdays", weekdays=[5])

    def ids(query: str) -> list[int]:
        return [t["id"] for t in auth_client.get(f"{LIST}?{query}").json()["results"]]

    assert ids("date_from=2027-03-02&date_to=2027-03-02") == [weekdays.pk]
    assert ids("date_from=2027-03-06&date_to=2027-03-06") == [saturday.pk]
    assert ids("date_from=2027-03-01&date_to=2027-03-07") == [weekdays.pk, saturday.pk]
    # Today (Monday) is inside everyone's 24 h notice.
    assert ids("date_from=2027-03-01&date_to=2027-03-01") == []
    # Fully booked: one booking a day allowed, Tuesday taken.
    weekdays.max_bookings_per_day = 1
    weekdays.save(update_fields=["max_bookings_per_day"])
    from coaching.services.bookings import booking_create

    booking_create(
        user=user,
        therapist=weekdays,
        starts_at=datetime(2027, 3, 2, 11, tzinfo=UTC),
    )
    assert ids("date_from=2027-03-02&date_to=2027-03-02") == []


def test_list_with_a_bad_date_range_is_400(auth_client):
    response = auth_client.get(f"{LIST}?date_from=2027-03-01&date_to=2027-05-01")

    assert response.status_code == 400
    assert "date_to" in response.json()["error"]["fields"]


@pytest.mark.parametrize("count", [1, 3])
def test_list_with_dates_query_count_does_not_grow(
    auth_client, count, django_assert_num_queries
):
    TherapistFactory.create_batch(count)

    # auth user; candidates, their windows, exceptions, bookings; the page with
    # its count.
    with django_assert_num_queries(6):
        response = auth_client.get(f"{LIST}?date_from=2027-03-02&date_to=2027-03-03")
    assert response.json()["count"] == count
