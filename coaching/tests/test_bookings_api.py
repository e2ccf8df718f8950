"""Bookings: the client's side, the therapist's side, the rules and the history."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection

from accounts.tests.factories import UserFactory
from coaching.models import BookingStatus, TherapistBooking
from coaching.services import bookings as services
from coaching.tests.factories import TherapistFactory
from conftest import bearer
from notifications.models import Notification, ScheduledNotification

pytestmark = pytest.mark.django_db

BOOKINGS = "/api/v1/bookings"
THERAPIST_BOOKINGS = "/api/v1/therapist/bookings"
TUE_11 = "2027-03-02T11:00:00Z"
TUE_12 = "2027-03-02T12:00:00Z"
WED_09 = "2027-03-03T09:00:00Z"


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _book(client, therapist, starts_at=TUE_11, **extra):
    return client.post(
        BOOKINGS,
        {"therapist_id": therapist.pk, "starts_at": starts_at, **extra},
        format="json",
    )


def _client_for(user):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=bearer(user))
    return client


def _booking(user, therapist, starts_at=TUE_11) -> TherapistBooking:
    return services.booking_create(
        user=user, therapist=therapist, starts_at=_at(starts_at)
    )


# --- create -----------------------------------------------------------------------
def test_create_books_a_slot_pending_with_history(auth_client, user, therapist):
    response = _book(auth_client, therapist, note="First session, a bit nervous.")

    assert response.status_code == 201
    body = response.json()
    assert body["therapist_id"] == therapist.pk
    assert body["starts_at"] == TUE_11
    assert body["ends_at"] == "2027-03-02T11:50:00Z"
    assert body["status"] == "pending"
    assert body["note"] == "First session, a bit nervous."
    assert body["cancelled_late"] is False
    assert [
        (t["from_status"], t["to_status"], t["reason"]) for t in body["transitions"]
    ] == [("pending", "pending", "requested")]
    booking = TherapistBooking.objects.get()
    assert booking.user == user


def test_the_note_is_encrypted_at_rest(auth_client, therapist):
    _book(auth_client, therapist, note="grief after my father died")

    with connection.cursor() as cursor:
        cursor.execute("SELECT note FROM coaching_therapistbooking")
        (stored,) = cursor.fetchone()
    assert "grief" not in stored
    assert TherapistBooking.objects.get().note == "grief after my father died"


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"therapist_id": 999999, "starts_at": TUE_11},
        {"starts_at": TUE_11},
        {"therapist_id": "x", "starts_at": TUE_11},
        {"therapist_id": "THERAPIST", "starts_at": "tomorrow"},
        {"therapist_id": "THERAPIST", "starts_at": TUE_11, "note": "x" * 2001},
    ],
)
def test_create_bad_input_is_400_and_books_nothing(auth_client, therapist, payload):
    if payload.get("therapist_id") == "THERAPIST":
        payload = {**payload, "therapist_id": therapist.pk}
    response = auth_client.post(BOOKINGS, payload, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert TherapistBooking.objects.count() == 0


@pytest.mark.parametrize(
    "starts_at",
    [
        "2027-03-02T11:30:00Z",  # not on the grid
        "2027-03-01T15:00:00Z",  # inside the minimum notice
        "2027-03-06T10:00:00Z",  # a Saturday
        "2027-03-02T08:00:00Z",  # before hours
    ],
)
def test_a_time_that_is_not_a_slot_is_409(auth_client, therapist, starts_at):
    response = _book(auth_client, therapist, starts_at)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "slot_unavailable"
    assert TherapistBooking.objects.count() == 0


def test_a_taken_slot_is_409_slot_taken(auth_client, other_user, therapist):
    _booking(other_user, therapist)

    response = _book(auth_client, therapist)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "slot_taken"
    assert TherapistBooking.objects.count() == 1


def test_a_cancelled_booking_frees_its_slot(auth_client, other_user, therapist):
    services.booking_cancel(booking=_booking(other_user, therapist), actor=other_user)

    assert _book(auth_client, therapist).status_code == 201


def test_a_client_holds_at_most_three_upcoming_bookings(auth_client, user, therapist):
    for starts_at in (TUE_11, TUE_12, WED_09):
        assert _book(auth_client, therapist, starts_at).status_code == 201

    response = _book(auth_client, therapist, "2027-03-03T10:00:00Z")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "booking_limit_reached"
    assert TherapistBooking.objects.filter(user=user).count() == 3


def test_a_cancelled_booking_does_not_count_toward_the_cap(
    auth_client, user, therapist
):
    for starts_at in (TUE_11, TUE_12, WED_09):
        _book(auth_client, therapist, starts_at)
    services.booking_cancel(booking=TherapistBooking.objects.first(), actor=user)

    assert _book(auth_client, therapist, "2027-03-03T10:00:00Z").status_code == 201


def test_a_therapist_not_accepting_new_clients_is_409(auth_client):
    closed = TherapistFactory(accepts_new_clients=False)

    response = _book(auth_client, closed)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "therapist_not_accepting"


def test_create_notifies_client_and_therapist(
    auth_client, user, therapist, therapist_user
):
    _book(auth_client, therapist)

    notes = Notification.objects.filter(type="booking_update")
    assert sorted((n.user_id, n.data["event"]) for n in notes) == sorted(
        [(user.pk, "requested"), (therapist_user.pk, "requested")]
    )


# --- list and detail ---------------------------------------------------------------
def test_list_upcoming_and_past(auth_client, user, therapist):
    soon = _booking(user, therapist, TUE_11)
    later = _booking(user, therapist, WED_09)
    cancelled = _booking(user, therapist, TUE_12)
    services.booking_cancel(booking=cancelled, actor=user)

    def ids(query: str) -> list[int]:
        client = _client_for(user)
        return [b["id"] for b in client.get(f"{BOOKINGS}{query}").json()["results"]]

    assert ids("?when=upcoming") == [soon.pk, later.pk]
    assert ids("?when=past") == [cancelled.pk]
    assert ids("") == [later.pk, cancelled.pk, soon.pk]
    with time_machine.travel(datetime(2027, 3, 2, 12, 0, tzinfo=UTC), tick=False):
        assert ids("?when=upcoming") == [later.pk]
        assert ids("?when=past") == [cancelled.pk, soon.pk]


def test_list_bad_filter_is_400(auth_client):
    response = auth_client.get(f"{BOOKINGS}?when=tomorrow")

    assert response.status_code == 400
    assert "when" in response.json()["error"]["fields"]


@pytest.mark.parametrize("count", [1, 3])
def test_list_query_count_does_not_grow(
    auth_client, user, count, django_assert_num_queries
):
    for i in range(count):
        _booking(user, TherapistFactory(), TUE_11 if i % 2 == 0 else TUE_12)

    # auth user, the page with its count (with the therapist joined).
    with django_assert_num_queries(2):
        response = auth_client.get(BOOKINGS)
    assert response.json()["count"] == count


def test_list_shows_only_my_bookings(auth_client, user, other_user, therapist):
    mine = _booking(user, therapist, TUE_11)
    _booking(other_user, therapist, TUE_12)

    assert [b["id"] for b in auth_client.get(BOOKINGS).json()["results"]] == [mine.pk]


@pytest.mark.parametrize(
    ("method", "suffix"),
    [
        ("get", ""),
        ("get", "/"),
        ("get", "/calendar.ics"),
        ("post", "/cancel"),
        ("post", "/reschedule"),
    ],
)
def test_another_users_booking_is_404_and_unchanged(
    auth_client, other_user, therapist, method, suffix
):
    theirs = _booking(other_user, therapist)

    response = (
        getattr(auth_client, method)(
            f"{BOOKINGS}/{theirs.pk}{suffix}", {"starts_at": TUE_12}, format="json"
        )
        if method == "post"
        else auth_client.get(f"{BOOKINGS}/{theirs.pk}{suffix}")
    )

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    theirs.refresh_from_db()
    assert (theirs.status, theirs.starts_at) == ("pending", _at(TUE_11))


def test_calendar_file(auth_client, user, therapist):
    booking = _booking(user, therapist)
    booking.note = "private words"
    booking.save(update_fields=["note"])

    response = auth_client.get(f"{BOOKINGS}/{booking.pk}/calendar.ics")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    text = response.content.decode()
    assert "BEGIN:VEVENT" in text
    assert "DTSTART:20270302T110000Z" in text
    assert "DTEND:20270302T115000Z" in text
    assert f"UID:booking-{booking.pk}@kaya" in text
    assert "STATUS:TENTATIVE" in text
    assert "private" not in text


# --- cancel --------------------------------------------------------------------------
def test_cancel_more_than_24h_before_is_free(auth_client, user, therapist):
    booking = _booking(user, therapist)

    response = auth_client.post(f"{BOOKINGS}/{booking.pk}/cancel")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "cancelled"
    assert body["cancelled_late"] is False
    assert body["cancelled_at"] == "2027-03-01T10:00:00Z"
    assert body["transitions"][-1]["from_status"] == "pending"
    assert body["transitions"][-1]["to_status"] == "cancelled"


def test_cancel_within_24h_is_recorded_as_late(auth_client, user, therapist):
    booking = _booking(user, therapist)

    with time_machine.travel(datetime(2027, 3, 2, 0, 0, tzinfo=UTC), tick=False):
        # A fresh token: an access token lives minutes.
        response = _client_for(user).post(f"{BOOKINGS}/{booking.pk}/cancel")

    assert response.status_code == 200
    assert response.json()["cancelled_late"] is True


def test_cancel_after_the_start_is_refused(auth_client, user, therapist):
    booking = _booking(user, therapist)

    with time_machine.travel(datetime(2027, 3, 2, 11, 5, tzinfo=UTC), tick=False):
        response = _client_for(user).post(f"{BOOKINGS}/{booking.pk}/cancel")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "booking_started"
    booking.refresh_from_db()
    assert booking.status == "pending"


def test_cancel_twice_is_an_invalid_transition(auth_client, user, therapist):
    booking = _booking(user, therapist)
    auth_client.post(f"{BOOKINGS}/{booking.pk}/cancel")

    response = auth_client.post(f"{BOOKINGS}/{booking.pk}/cancel")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "invalid_transition"


def test_cancel_by_the_client_notifies_the_therapist_and_drops_reminders(
    auth_client, user, therapist, therapist_user
):
    booking = _booking(user, therapist)
    services.booking_confirm(booking=booking, actor=therapist_user)
    assert ScheduledNotification.objects.filter(status="pending").count() == 2

    auth_client.post(f"{BOOKINGS}/{booking.pk}/cancel")

    assert ScheduledNotification.objects.filter(status="pending").count() == 0
    cancelled = Notification.objects.filter(data__event="cancelled")
    assert [n.user_id for n in cancelled] == [therapist_user.pk]


# --- reschedule ----------------------------------------------------------------------
def test_reschedule_moves_the_booking_and_records_it(auth_client, user, therapist):
    booking = _booking(user, therapist)

    response = auth_client.post(
        f"{BOOKINGS}/{booking.pk}/reschedule", {"starts_at": WED_09}, format="json"
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["starts_at"], body["ends_at"]) == (WED_09, "2027-03-03T09:50:00Z")
    assert body["status"] == "pending"
    assert body["transitions"][-1]["reason"] == "rescheduled"
    assert body["transitions"][-1]["previous_starts_at"] == TUE_11
    # The old time is free again.
    other = _client_for(UserFactory())
    assert _book(other, therapist, TUE_11).status_code == 201


def test_reschedule_to_a_taken_slot_changes_nothing(
    auth_client, user, other_user, therapist
):
    booking = _booking(user, therapist, TUE_11)
    _booking(other_user, therapist, WED_09)

    response = auth_client.post(
        f"{BOOKINGS}/{booking.pk}/reschedule", {"starts_at": WED_09}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "slot_taken"
    booking.refresh_from_db()
    assert (booking.starts_at, booking.status) == (_at(TUE_11), "pending")
    assert booking.transitions.count() == 1


def test_reschedule_to_a_neighbouring_slot_within_its_own_buffer(
    auth_client, user, therapist
):
    booking = _booking(user, therapist, TUE_11)

    response = auth_client.post(
        f"{BOOKINGS}/{booking.pk}/reschedule", {"starts_at": TUE_12}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["starts_at"] == TUE_12


def test_reschedule_bad_input_is_400(auth_client, user, therapist):
    booking = _booking(user, therapist)

    response = auth_client.post(
        f"{BOOKINGS}/{booking.pk}/reschedule", {"starts_at": "soon"}, format="json"
    )

    assert response.status_code == 400
    booking.refresh_from_db()
    assert booking.starts_at == _at(TUE_11)


def test_reschedule_a_confirmed_booking_moves_its_reminders(
    auth_client, user, therapist, therapist_user
):
    booking = _booking(user, therapist)
    services.booking_confirm(booking=booking, actor=therapist_user)

    auth_client.post(
        f"{BOOKINGS}/{booking.pk}/reschedule", {"starts_at": WED_09}, format="json"
    )

    pending = ScheduledNotification.objects.filter(status="pending").order_by("send_at")
    assert [p.send_at for p in pending] == [
        datetime(2027, 3, 2, 9, tzinfo=UTC),
        datetime(2027, 3, 3, 8, tzinfo=UTC),
    ]
    assert Notification.objects.filter(data__event="rescheduled").count() == 2


# --- the therapist's side ------------------------------------------------------------
def test_therapist_sees_only_their_own_bookings(
    therapist_client, user, other_user, therapist
):
    mine = _booking(user, therapist)
    _booking(other_user, TherapistFactory())

    body = therapist_client.get(THERAPIST_BOOKINGS).json()

    assert [b["id"] for b in body["results"]] == [mine.pk]
    assert body["results"][0]["client_user_id"] == user.pk
    assert body["results"][0]["client_display_name"] == user.display_name


@pytest.mark.parametrize("count", [1, 3])
def test_therapist_list_query_count_does_not_grow(
    therapist_client, therapist, count, django_assert_num_queries
):
    for i in range(count):
        _booking(UserFactory(), therapist, f"2027-03-0{2 + i // 2}T1{i % 2}:00:00Z")

    # auth user, the therapist check, the page with its count.
    with django_assert_num_queries(3):
        response = therapist_client.get(THERAPIST_BOOKINGS)
    assert response.json()["count"] == count


def test_a_user_who_is_not_a_therapist_gets_403(auth_client, user, therapist):
    _booking(user, therapist)

    response = auth_client.get(THERAPIST_BOOKINGS)

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_a_therapist"


@pytest.mark.parametrize("suffix", ["", "/confirm", "/decline"])
def test_another_therapists_booking_is_404_and_unchanged(
    therapist_client, user, suffix
):
    theirs = _booking(user, TherapistFactory())

    if suffix:
        response = therapist_client.post(f"{THERAPIST_BOOKINGS}/{theirs.pk}{suffix}")
    else:
        response = therapist_client.get(f"{THERAPIST_BOOKINGS}/{theirs.pk}")

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "pending"


def test_confirm_schedules_reminders_and_notifies_the_client(
    therapist_client, user, therapist, therapist_user
):
    booking = _booking(user, therapist)

    response = therapist_client.post(f"{THERAPIST_BOOKINGS}/{booking.pk}/confirm")

    assert response.status_code == 200
    assert response.json()["status"] == "confirmed"
    reminders = ScheduledNotification.objects.order_by("send_at")
    assert [(r.user_id, r.send_at, r.type) for r in reminders] == [
        (user.pk, datetime(2027, 3, 1, 11, tzinfo=UTC), "session_reminder"),
        (user.pk, datetime(2027, 3, 2, 10, tzinfo=UTC), "session_reminder"),
    ]
    confirmed = Notification.objects.filter(data__event="confirmed")
    assert [n.user_id for n in confirmed] == [user.pk]
    assert booking.transitions.last().actor == therapist_user


def test_decline_frees_the_slot_and_notifies_the_client(
    therapist_client, user, therapist
):
    booking = _booking(user, therapist)

    response = therapist_client.post(f"{THERAPIST_BOOKINGS}/{booking.pk}/decline")

    assert response.status_code == 200
    assert response.json()["status"] == "declined"
    assert Notification.objects.filter(data__event="declined", user=user).count() == 1
    assert _book(_client_for(UserFactory()), therapist).status_code == 201


def test_confirm_a_declined_booking_is_an_invalid_transition(
    therapist_client, user, therapist
):
    booking = _booking(user, therapist)
    therapist_client.post(f"{THERAPIST_BOOKINGS}/{booking.pk}/decline")

    response = therapist_client.post(f"{THERAPIST_BOOKINGS}/{booking.pk}/confirm")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "invalid_transition"


# --- every state transition ----------------------------------------------------------
ALL = [s.value for s in BookingStatus]
ALLOWED = {
    ("pending", "confirmed"),
    ("pending", "declined"),
    ("pending", "cancelled"),
    ("confirmed", "completed"),
    ("confirmed", "cancelled"),
    ("confirmed", "no_show"),
}


def _move(booking, to, actor):
    if to == "confirmed":
        return services.booking_confirm(booking=booking, actor=actor)
    if to == "declined":
        return services.booking_decline(booking=booking, actor=actor)
    if to == "cancelled":
        return services.booking_cancel(booking=booking, actor=actor)
    return services.booking_finish(booking=booking, status=to, actor=actor)


@pytest.mark.parametrize("source", ALL)
@pytest.mark.parametrize("target", [s for s in ALL if s != "pending"])
def test_every_transition_is_allowed_or_refused(user, therapist, source, target):
    booking = _booking(user, therapist)
    TherapistBooking.objects.filter(pk=booking.pk).update(status=source)
    booking.refresh_from_db()
    # Completed and no-show are recorded once a session has started; the others
    # happen before it.
    moment = (
        datetime(2027, 3, 2, 12, tzinfo=UTC)
        if target in ("completed", "no_show")
        else datetime(2027, 3, 1, 10, tzinfo=UTC)
    )

    with time_machine.travel(moment, tick=False):
        if (source, target) in ALLOWED:
            moved = _move(booking, target, user)
            assert moved.status == target
            assert booking.transitions.last().to_status == target
        else:
            from coaching.exceptions import BookingTransitionError

            with pytest.raises(BookingTransitionError):
                _move(booking, target, user)
            booking.refresh_from_db()
            assert booking.status == source


def test_completed_before_the_start_is_refused(user, therapist):
    booking = _booking(user, therapist)
    services.booking_confirm(booking=booking, actor=None)

    from coaching.exceptions import BookingTransitionError

    with pytest.raises(BookingTransitionError):
        services.booking_finish(booking=booking, status="completed", actor=None)
