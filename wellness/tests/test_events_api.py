"""/api/v1/events: the list, registration and its waitlist, cancellation,
my registrations, calendar files, reminders and the dashboard's next event."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from accounts.tests.factories import UserFactory
from conftest import bearer
from notifications.models import Notification, ScheduledNotification
from notifications.services import scheduled_notifications_dispatch
from wellness.models import EventRegistration, WellnessEvent
from wellness.services import (
    event_attendance_mark,
    event_register,
    event_registration_cancel,
)
from wellness.tests.factories import WellnessEventFactory

pytestmark = pytest.mark.django_db

EVENTS = "/api/v1/events"
MINE = f"{EVENTS}/my-registrations"


def _register(client, event):
    return client.post(f"{EVENTS}/{event.pk}/register")


def _client_for(user):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=bearer(user))
    return client


def _full(event, count=None):
    """Fill ``event`` with other users' seats."""
    for other in UserFactory.create_batch(count or event.capacity):
        event_register(user=other, event=event)
    event.refresh_from_db()
    return event


def _reminders(user):
    return list(
        ScheduledNotification.objects.filter(
            user=user, type=Notification.Type.EVENT_REMINDER
        ).values_list("status", "send_at")
    )


# --- the list -----------------------------------------------------------------
def test_list_shows_upcoming_published_events_with_seats_soonest_first(auth_client):
    now = timezone.now()
    later = WellnessEventFactory(title="Later", starts_at=now + timedelta(days=3))
    sooner = WellnessEventFactory(title="Sooner", starts_at=now + timedelta(hours=2))
    WellnessEventFactory(title="Draft", is_published=False)
    WellnessEventFactory(title="Started", starts_at=now - timedelta(minutes=5))
    _full(WellnessEventFactory(title="Full", capacity=1))

    response = auth_client.get(EVENTS)

    assert response.status_code == 200
    body = response.json()
    assert [e["title"] for e in body["results"]] == ["Sooner", "Later"]
    first = body["results"][0]
    assert first["id"] == sooner.pk
    assert first["seats_left"] == 5
    assert first["capacity"] == 5
    assert first["duration_seconds"] == 3600
    assert first["kind"] == "group_meditation"
    assert first["is_online"] is True
    # No seat yet: the join link stays hidden.
    assert first["online_url"] is None
    assert first["registration_id"] is None
    assert first["registration_status"] is None
    assert later.pk == body["results"][1]["id"]


def test_list_with_include_full_shows_full_events_and_mine_are_always_listed(
    auth_client, user
):
    full = _full(WellnessEventFactory(title="Full", capacity=1))
    mine = WellnessEventFactory(title="Mine", capacity=1)
    event_register(user=user, event=mine)

    default = auth_client.get(EVENTS).json()["results"]
    everything = auth_client.get(EVENTS, {"include_full": "true"}).json()["results"]

    assert [(e["title"], e["seats_left"]) for e in default] == [("Mine", 0)]
    assert default[0]["registration_status"] == "registered"
    assert default[0]["online_url"] == "https://meet.example.com/evening-calm"
    assert {e["id"] for e in everything} == {full.pk, mine.pk}


def test_another_users_registration_shows_nothing_of_theirs(auth_client, other_user):
    event = WellnessEventFactory()
    event_register(user=other_user, event=event)

    listed = auth_client.get(EVENTS).json()["results"][0]
    detail = auth_client.get(f"{EVENTS}/{event.pk}").json()

    for body in (listed, detail):
        assert body["seats_left"] == 4
        assert body["registration_id"] is None
        assert body["registration_status"] is None
        assert body["online_url"] is None
    assert auth_client.get(MINE).json()["results"] == []


def test_list_filters_by_kind_and_local_dates(auth_client, user):
    user.timezone = "Pacific/Auckland"
    user.save(update_fields=["timezone"])
    now = timezone.now()
    # Start of the user's local day three days from now, in UTC.
    local_day = (now + timedelta(days=3)).astimezone(user.tz).date()
    from kaya.timeutils import local_day_bounds

    start, end = local_day_bounds(local_day, user.timezone)
    inside = WellnessEventFactory(starts_at=start + timedelta(minutes=1))
    WellnessEventFactory(starts_at=start - timedelta(minutes=1))
    WellnessEventFactory(starts_at=end + timedelta(minutes=1))
    WellnessEventFactory(
        starts_at=start + timedelta(hours=1), kind=WellnessEvent.Kind.WEBINAR
    )

    response = auth_client.get(
        EVENTS,
        {
            "date_from": local_day.isoformat(),
            "date_to": local_day.isoformat(),
            "kind": "group_meditation",
        },
    )

    assert [e["id"] for e in response.json()["results"]] == [inside.pk]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"kind": "rave"}, "kind"),
        ({"include_full": "perhaps"}, "include_full"),
        ({"date_from": "2027-02-30"}, "date_from"),
        ({"date_from": "2027-03-02", "date_to": "2027-03-01"}, "date_from"),
    ],
)
def test_list_refuses_bad_filters(auth_client, query, field):
    response = auth_client.get(EVENTS, query)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert list(error["fields"]) == [field]


@pytest.mark.parametrize("count", [1, 3])
def test_list_query_count_does_not_grow(
    auth_client, user, count, django_assert_num_queries
):
    for _ in range(count):
        event = WellnessEventFactory()
        event_register(user=user, event=event)
        WellnessEventFactory()
    # Authentication, the page with its count.
    with django_assert_num_queries(2):
        response = auth_client.get(EVENTS)
    assert len(response.json()["results"]) == 2 * count


def test_retrieve_a_published_event_and_an_unpublished_one_is_404(auth_client):
    event = WellnessEventFactory(place="Studio 2, Main Street 4")
    draft = WellnessEventFactory(is_published=False)

    assert auth_client.get(f"{EVENTS}/{event.pk}").json()["place"] == (
        "Studio 2, Main Street 4"
    )
    response = auth_client.get(f"{EVENTS}/{draft.pk}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_anonymous_callers_are_refused(api_client):
    event = WellnessEventFactory()

    assert api_client.get(EVENTS).status_code == 401
    assert api_client.post(f"{EVENTS}/{event.pk}/register").status_code == 401
    assert not EventRegistration.objects.exists()


# --- registering ----------------------------------------------------------------
def test_register_takes_a_seat_and_schedules_a_reminder_an_hour_before(
    auth_client, user
):
    event = WellnessEventFactory()

    response = _register(auth_client, event)

    assert response.status_code == 201
    body = response.json()
    registration = EventRegistration.objects.get()
    assert body["id"] == registration.pk
    assert body["status"] == "registered"
    assert body["event"]["id"] == event.pk
    assert body["event"]["seats_left"] == 4
    assert body["online_url"] == "https://meet.example.com/evening-calm"
    event.refresh_from_db()
    assert event.seats_taken == 1
    reminder = ScheduledNotification.objects.get(user=user)
    assert reminder.type == Notification.Type.EVENT_REMINDER
    assert reminder.send_at == event.starts_at - timedelta(hours=1)
    assert reminder.status == "pending"
    assert reminder.data == {"event_id": event.pk, "registration_id": registration.pk}


def test_registering_again_returns_the_same_registration(auth_client, user):
    event = WellnessEventFactory()
    first = _register(auth_client, event).json()

    again = _register(auth_client, event)

    assert again.status_code == 200
    assert again.json()["id"] == first["id"]
    assert EventRegistration.objects.count() == 1
    event.refresh_from_db()
    assert event.seats_taken == 1
    assert len(_reminders(user)) == 1


def test_a_full_event_puts_me_on_the_waitlist_without_the_link(auth_client, user):
    event = _full(WellnessEventFactory(capacity=2))

    response = _register(auth_client, event)

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "waitlisted"
    assert body["online_url"] is None
    assert body["registered_at"] is None
    event.refresh_from_db()
    assert event.seats_taken == 2
    assert _reminders(user) == []


def test_registering_for_a_started_event_is_409_and_changes_nothing(auth_client):
    event = WellnessEventFactory(starts_at=timezone.now() - timedelta(minutes=1))

    response = _register(auth_client, event)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "event_started"
    assert not EventRegistration.objects.exists()


def test_registering_for_an_unpublished_or_missing_event_is_404(auth_client):
    draft = WellnessEventFactory(is_published=False)

    for path in (f"{draft.pk}", "999999", "not-a-number"):
        response = auth_client.post(f"{EVENTS}/{path}/register")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    assert not EventRegistration.objects.exists()


def test_the_service_refuses_an_unpublished_event_too(user):
    from wellness.exceptions import EventNotPublishedError

    with pytest.raises(EventNotPublishedError):
        event_register(user=user, event=WellnessEventFactory(is_published=False))


def test_a_premium_event_needs_a_premium_account(auth_client, user):
    event = WellnessEventFactory(is_premium=True)

    refused = _register(auth_client, event)

    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "premium_required"
    assert "event" in refused.json()["error"]["message"]
    assert not EventRegistration.objects.exists()
    user.subscription_tier = user.Tier.PREMIUM
    user.save(update_fields=["subscription_tier"])
    assert _register(auth_client, event).status_code == 201


# --- cancelling -------------------------------------------------------------------
def test_cancelling_frees_the_seat_and_cancels_the_reminder(auth_client, user):
    event = WellnessEventFactory()
    _register(auth_client, event)

    response = auth_client.delete(f"{EVENTS}/{event.pk}/register")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "cancelled"
    assert body["cancelled_at"] is not None
    assert body["online_url"] is None
    event.refresh_from_db()
    assert event.seats_taken == 0
    assert [status for status, _ in _reminders(user)] == ["cancelled"]


def test_cancelling_promotes_the_first_waitlisted_user_and_tells_them(
    auth_client, user
):
    event = WellnessEventFactory(capacity=1)
    _register(auth_client, event)
    first, second = UserFactory(), UserFactory()
    event_register(user=first, event=event)
    event_register(user=second, event=event)

    auth_client.delete(f"{EVENTS}/{event.pk}/register")

    statuses = dict(
        EventRegistration.objects.filter(event=event).values_list("user", "status")
    )
    assert statuses == {
        user.pk: "cancelled",
        first.pk: "registered",
        second.pk: "waitlisted",
    }
    event.refresh_from_db()
    assert event.seats_taken == 1
    notification = Notification.objects.get(user=first)
    assert notification.type == Notification.Type.EVENT_UPDATE
    assert notification.title == (
        f"A seat opened up: you are registered for {event.title}"
    )
    promoted = EventRegistration.objects.get(user=first)
    assert notification.data["registration_id"] == promoted.pk
    assert notification.data["event"] == "promoted"
    assert _reminders(first) == [("pending", event.starts_at - timedelta(hours=1))]
    assert not Notification.objects.filter(user=second).exists()


def test_leaving_the_waitlist_promotes_nobody(auth_client, user):
    event = _full(WellnessEventFactory(capacity=1))
    _register(auth_client, event)

    response = auth_client.delete(f"{EVENTS}/{event.pk}/register")

    assert response.json()["status"] == "cancelled"
    event.refresh_from_db()
    assert event.seats_taken == 1
    assert not Notification.objects.exists()


def test_registering_again_after_cancelling_gets_a_new_seat_and_reminder(
    auth_client, user
):
    event = WellnessEventFactory()
    first = _register(auth_client, event).json()
    auth_client.delete(f"{EVENTS}/{event.pk}/register")

    again = _register(auth_client, event)

    assert again.status_code == 201
    assert again.json()["id"] != first["id"]
    assert sorted(status for status, _ in _reminders(user)) == [
        "cancelled",
        "pending",
    ]


def test_cancelling_without_a_registration_is_404(auth_client):
    event = WellnessEventFactory()

    response = auth_client.delete(f"{EVENTS}/{event.pk}/register")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_registered"


def test_another_users_registration_cannot_be_cancelled_and_is_unchanged(
    auth_client, other_user
):
    event = WellnessEventFactory()
    theirs, _ = event_register(user=other_user, event=event)

    response = auth_client.delete(f"{EVENTS}/{event.pk}/register")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_registered"
    theirs.refresh_from_db()
    assert theirs.status == "registered"
    event.refresh_from_db()
    assert event.seats_taken == 1
    assert [status for status, _ in _reminders(other_user)] == ["pending"]


def test_cancelling_after_the_start_is_409(auth_client, user):
    event = WellnessEventFactory()
    _register(auth_client, event)

    with time_machine.travel(event.starts_at + timedelta(minutes=1), tick=False):
        auth_client.credentials(HTTP_AUTHORIZATION=bearer(user))
        response = auth_client.delete(f"{EVENTS}/{event.pk}/register")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "event_started"
    assert EventRegistration.objects.get().status == "registered"


def test_an_attended_registration_cannot_be_cancelled(auth_client, user):
    event = WellnessEventFactory()
    registration, _ = event_register(user=user, event=event)
    with time_machine.travel(event.starts_at + timedelta(minutes=5), tick=False):
        event_attendance_mark(registration_ids=[registration.pk])
        auth_client.credentials(HTTP_AUTHORIZATION=bearer(user))
        response = auth_client.delete(f"{EVENTS}/{event.pk}/register")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "event_attended"
    registration.refresh_from_db()
    assert registration.status == "attended"


def test_cancelling_on_an_unpublished_event_is_404(auth_client, user):
    event = WellnessEventFactory()
    event_register(user=user, event=event)
    WellnessEvent.objects.filter(pk=event.pk).update(is_published=False)

    response = auth_client.delete(f"{EVENTS}/{event.pk}/register")

    assert response.status_code == 404
    assert EventRegistration.objects.get().status == "registered"


# --- my registrations ----------------------------------------------------------------
def test_my_registrations_lists_only_mine_newest_first(auth_client, user, other_user):
    first = WellnessEventFactory(title="First")
    second = _full(WellnessEventFactory(title="Second", capacity=1))
    event_register(user=user, event=first)
    event_register(user=user, event=second)
    event_register(user=other_user, event=first)

    body = auth_client.get(MINE).json()

    assert [(r["event"]["title"], r["status"]) for r in body["results"]] == [
        ("Second", "waitlisted"),
        ("First", "registered"),
    ]
    assert body["results"][1]["online_url"] == "https://meet.example.com/evening-calm"
    waitlisted = auth_client.get(MINE, {"status": "waitlisted"}).json()["results"]
    assert [r["event"]["id"] for r in waitlisted] == [second.pk]


def test_my_registrations_include_cancelled_ones(auth_client, user):
    event = WellnessEventFactory()
    event_register(user=user, event=event)
    event_registration_cancel(user=user, event=event)

    body = auth_client.get(MINE, {"status": "cancelled"}).json()

    assert [r["status"] for r in body["results"]] == ["cancelled"]


def test_my_registrations_refuse_a_bad_status(auth_client):
    response = auth_client.get(MINE, {"status": "maybe"})

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["status"]


@pytest.mark.parametrize("count", [1, 3])
def test_my_registrations_query_count_does_not_grow(
    auth_client, user, count, django_assert_num_queries
):
    for _ in range(count):
        event_register(user=user, event=WellnessEventFactory())
    with django_assert_num_queries(2):
        response = auth_client.get(MINE)
    assert len(response.json()["results"]) == count


# --- calendar files -------------------------------------------------------------------
def _ics(text: str) -> list[tuple[str, str]]:
    """The file's unfolded content lines as (name, value), after checking the
    RFC 5545 line rules (CRLF, at most 75 octets per physical line)."""
    assert text.endswith("\r\n")
    physical = text[:-2].split("\r\n")
    assert all(len(line.encode()) <= 75 for line in physical)
    lines: list[str] = []
    for line in physical:
        if line.startswith(" "):
            lines[-1] += line[1:]
        else:
            lines.append(line)
    return [tuple(line.split(":", 1)) for line in lines]  # type: ignore[misc]


def test_calendar_file_of_an_event(auth_client, user):
    event = WellnessEventFactory(
        title="Breathe, together; slowly",
        description="A long description " * 12,
        online_url="",
        place="Studio 2, Main Street 4",
    )

    response = auth_client.get(f"{EVENTS}/{event.pk}/calendar.ics")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="kaya-event-{event.pk}.ics"'
    )
    lines = _ics(response.content.decode())
    names = [name for name, _ in lines]
    assert names[:5] == ["BEGIN", "VERSION", "PRODID", "CALSCALE", "METHOD"]
    assert names[-2:] == ["END", "END"]
    fields = dict(lines)
    assert fields["VERSION"] == "2.0"
    assert fields["PRODID"] == "-//KAYA//Events//EN"
    assert fields["UID"] == f"event-{event.pk}@kaya"
    assert fields["DTSTART"] == event.starts_at.strftime("%Y%m%dT%H%M%SZ")
    assert fields["DTEND"] == event.ends_at.strftime("%Y%m%dT%H%M%SZ")
    assert fields["SUMMARY"] == "Breathe\\, together\\; slowly"
    assert fields["DESCRIPTION"] == "A long description " * 12
    assert fields["LOCATION"] == "Studio 2\\, Main Street 4"
    assert fields["STATUS"] == "CONFIRMED"
    assert "URL" not in fields
    assert [v for n, v in lines if n in ("BEGIN", "END")] == [
        "VCALENDAR",
        "VEVENT",
        "VEVENT",
        "VCALENDAR",
    ]


def test_calendar_file_carries_the_join_link_once_i_hold_a_seat(auth_client, user):
    event = WellnessEventFactory()
    before = dict(_ics(auth_client.get(f"{EVENTS}/{event.pk}/calendar.ics").text))
    event_register(user=user, event=event)

    after = dict(_ics(auth_client.get(f"{EVENTS}/{event.pk}/calendar.ics").text))

    assert "URL" not in before
    assert before["LOCATION"] == "Online"
    assert after["URL"] == "https://meet.example.com/evening-calm"
    assert after["DESCRIPTION"].endswith("Join: https://meet.example.com/evening-calm")


def test_calendar_file_of_an_unpublished_event_is_404(auth_client):
    draft = WellnessEventFactory(is_published=False)

    response = auth_client.get(f"{EVENTS}/{draft.pk}/calendar.ics")

    assert response.status_code == 404


# --- reminders -----------------------------------------------------------------
def test_the_reminder_is_sent_an_hour_before_the_start(user):
    event = WellnessEventFactory()
    registration, _ = event_register(user=user, event=event)

    assert (
        scheduled_notifications_dispatch(now=event.starts_at - timedelta(hours=2)) == 0
    )
    assert (
        scheduled_notifications_dispatch(now=event.starts_at - timedelta(hours=1)) == 1
    )

    notification = Notification.objects.get(user=user)
    assert notification.type == Notification.Type.EVENT_REMINDER
    assert notification.title == f"{event.title} starts in 1 hour"
    assert notification.data == {
        "event_id": event.pk,
        "registration_id": registration.pk,
    }


def test_no_reminder_when_registering_within_the_last_hour(user):
    event = WellnessEventFactory(starts_at=timezone.now() + timedelta(minutes=30))

    event_register(user=user, event=event)

    assert _reminders(user) == []


def test_a_cancelled_registration_is_never_reminded(user):
    event = WellnessEventFactory()
    event_register(user=user, event=event)
    event_registration_cancel(user=user, event=event)

    assert scheduled_notifications_dispatch(now=event.starts_at) == 0
    assert not Notification.objects.exists()


# --- the dashboard -------------------------------------------------------------
def test_dashboard_next_event_is_my_soonest_seat(auth_client, user):
    now = timezone.now()
    later = WellnessEventFactory(title="Later", starts_at=now + timedelta(days=3))
    soon = WellnessEventFactory(title="Soon", starts_at=now + timedelta(days=1))
    waitlisted = _full(
        WellnessEventFactory(starts_at=now + timedelta(hours=2), capacity=1)
    )
    gone = WellnessEventFactory(starts_at=now + timedelta(hours=3))
    for event in (later, soon, waitlisted, gone):
        event_register(user=user, event=event)
    event_registration_cancel(user=user, event=gone)
    WellnessEventFactory(starts_at=now + timedelta(hours=1))

    body = auth_client.get("/api/v1/analytics/dashboard").json()

    assert body["next_event"]["id"] == soon.pk
    assert body["next_event"]["title"] == "Soon"
    assert body["next_event"]["registration_status"] == "registered"
    assert body["next_event"]["online_url"] == "https://meet.example.com/evening-calm"


def test_dashboard_next_event_includes_one_in_progress_and_not_one_over(
    auth_client, user
):
    event = WellnessEventFactory()
    event_register(user=user, event=event)

    with time_machine.travel(event.starts_at + timedelta(minutes=30), tick=False):
        auth_client.credentials(HTTP_AUTHORIZATION=bearer(user))
        during = auth_client.get("/api/v1/analytics/dashboard").json()
    with time_machine.travel(event.ends_at, tick=False):
        auth_client.credentials(HTTP_AUTHORIZATION=bearer(user))
        after = auth_client.get("/api/v1/analytics/dashboard").json()

    assert during["next_event"]["id"] == event.pk
    assert after["next_event"] is None


def test_dashboard_next_event_is_null_with_only_another_users_seat(
    auth_client, other_user
):
    event_register(user=other_user, event=WellnessEventFactory())

    assert auth_client.get("/api/v1/analytics/dashboard").json()["next_event"] is None
