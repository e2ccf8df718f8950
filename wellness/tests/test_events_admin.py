"""The events staff console: curating events, the registrations inline with its
attendance tick box, the attendance actions and the attendee export."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.test import Client

from accounts.tests.factories import UserFactory
from notifications.models import Notification
from wellness.models import (
    Achievement,
    AchievementRule,
    EventRegistration,
    UserAchievement,
    WellnessEvent,
)
from wellness.services import event_register, event_registration_cancel
from wellness.tests.factories import WellnessEventFactory

pytestmark = pytest.mark.django_db

EVENTS = "/admin/wellness/wellnessevent/"
REGISTRATIONS = "/admin/wellness/eventregistration/"


@pytest.fixture
def staff():
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(staff):
    client = Client()
    client.force_login(staff)
    return client


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _form(event: WellnessEvent, ticked=(), **overrides) -> dict[str, str]:
    registrations = list(event.registrations.order_by("created_at", "id"))
    data = {
        "title": event.title,
        "slug": event.slug,
        "description": event.description,
        "kind": event.kind,
        "host": event.host,
        "starts_at_0": event.starts_at.strftime("%Y-%m-%d"),
        "starts_at_1": event.starts_at.strftime("%H:%M:%S"),
        "ends_at_0": event.ends_at.strftime("%Y-%m-%d"),
        "ends_at_1": event.ends_at.strftime("%H:%M:%S"),
        "capacity": str(event.capacity),
        "online_url": event.online_url,
        "place": event.place,
        "is_published": "on",
        "registrations-TOTAL_FORMS": str(len(registrations)),
        "registrations-INITIAL_FORMS": str(len(registrations)),
        "registrations-MIN_NUM_FORMS": "0",
        "registrations-MAX_NUM_FORMS": "1000",
    }
    for index, registration in enumerate(registrations):
        data[f"registrations-{index}-id"] = str(registration.pk)
        data[f"registrations-{index}-event"] = str(event.pk)
        if registration in ticked:
            data[f"registrations-{index}-mark_attended"] = "on"
    data.update(overrides)
    return data


def _event(**kwargs) -> WellnessEvent:
    # Whole seconds: the admin's split date/time widgets have no microseconds.
    event = WellnessEventFactory(**kwargs)
    event.starts_at = event.starts_at.replace(microsecond=0)
    event.ends_at = event.ends_at.replace(microsecond=0)
    event.save()
    return event


def test_the_change_page_shows_the_registrations_with_their_status(admin_client):
    event = _event()
    attendee = UserFactory(email="rae@example.com", display_name="Rae Okafor")
    event_register(user=attendee, event=event)

    response = admin_client.get(f"{EVENTS}{event.pk}/change/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "rae@example.com" in page
    assert "Rae Okafor" in page
    assert "Registered" in page
    assert "Mark attended" in page
    assert admin_client.get(f"{EVENTS}add/").status_code == 200


def test_ticking_mark_attended_in_the_inline_records_attendance(
    admin_client, django_capture_on_commit_callbacks
):
    Achievement.objects.create(
        code="first-event",
        name="First event",
        category=Achievement.Category.COMMUNITY,
        rule_kind=AchievementRule.EVENTS_ATTENDED,
        threshold=1,
    )
    event = _event()
    came, _ = event_register(user=UserFactory(), event=event)
    missed, _ = event_register(user=UserFactory(), event=event)

    with (
        time_machine.travel(event.starts_at + timedelta(minutes=10), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = admin_client.post(
            f"{EVENTS}{event.pk}/change/", _form(event, ticked=[came])
        )

    assert response.status_code == 302
    came.refresh_from_db()
    missed.refresh_from_db()
    assert (came.status, missed.status) == ("attended", "registered")
    assert came.attended_at is not None
    unlocked = UserAchievement.objects.get(user=came.user)
    assert unlocked.unlocked_at is not None
    assert not UserAchievement.objects.filter(user=missed.user).exists()


def test_attendance_before_the_start_is_skipped_and_said(admin_client):
    event = _event()
    registration, _ = event_register(user=UserFactory(), event=event)

    response = admin_client.post(
        f"{EVENTS}{event.pk}/change/", _form(event, ticked=[registration]), follow=True
    )

    registration.refresh_from_db()
    assert registration.status == "registered"
    assert (
        "Skipped 1: only registered seats of events that have started can be "
        "marked attended." in _messages(response)
    )


def test_raising_the_capacity_in_the_admin_promotes_the_waitlist(admin_client):
    event = _event(capacity=1)
    users = UserFactory.create_batch(3)
    for user in users:
        event_register(user=user, event=event)

    response = admin_client.post(
        f"{EVENTS}{event.pk}/change/", _form(event, capacity="2"), follow=True
    )

    assert "Gave 1 new seat(s) to the waitlist." in _messages(response)
    statuses = [EventRegistration.objects.get(user=u).status for u in users]
    assert statuses == ["registered", "registered", "waitlisted"]
    assert Notification.objects.get(type="event_update").user == users[1]


def test_the_capacity_cannot_go_below_the_seats_taken(admin_client):
    event = _event(capacity=3)
    for user in UserFactory.create_batch(2):
        event_register(user=user, event=event)

    response = admin_client.post(
        f"{EVENTS}{event.pk}/change/", _form(event, capacity="1")
    )

    assert response.status_code == 200
    assert "2 seats are taken: the capacity cannot be lower." in (
        response.content.decode()
    )
    event.refresh_from_db()
    assert event.capacity == 3


def test_an_event_needs_a_url_or_a_place_and_to_end_after_it_starts(admin_client):
    event = _event()

    response = admin_client.post(
        f"{EVENTS}{event.pk}/change/",
        _form(
            event,
            online_url="",
            place="",
            ends_at_0=event.starts_at.strftime("%Y-%m-%d"),
            ends_at_1=event.starts_at.strftime("%H:%M:%S"),
        ),
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "Give an online URL, a place, or both." in page
    assert "The event must end after it starts." in page


def test_moving_an_event_in_the_admin_tells_its_users(admin_client):
    event = _event()
    user = UserFactory()
    event_register(user=user, event=event)
    later = event.starts_at + timedelta(days=1)

    response = admin_client.post(
        f"{EVENTS}{event.pk}/change/",
        _form(
            event,
            starts_at_0=later.strftime("%Y-%m-%d"),
            ends_at_0=(later + timedelta(hours=1)).strftime("%Y-%m-%d"),
        ),
        follow=True,
    )

    assert "Told 1 user(s) about the new time." in _messages(response)
    notification = Notification.objects.get(user=user)
    assert notification.title == f"{event.title} has a new time"


def test_the_attendee_export_lists_seat_holders_with_name_and_email(admin_client):
    event = _event(title="Evening calm", capacity=2)
    event_register(
        user=UserFactory(display_name="Rae Okafor", email="rae@example.com"),
        event=event,
    )
    event_register(
        user=UserFactory(display_name="=HYPERLINK(1)", email="sam@example.com"),
        event=event,
    )
    event_register(user=UserFactory(email="waiting@example.com"), event=event)
    leaver = UserFactory(email="left@example.com")
    other = _event()
    event_register(user=leaver, event=other)
    event_registration_cancel(user=leaver, event=other)

    response = admin_client.post(
        EVENTS,
        {"action": "export_attendees_csv", "_selected_action": [event.pk, other.pk]},
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith(
        'attachment; filename="kaya-event-attendees-'
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == [
        "event_id",
        "event",
        "starts_at",
        "display_name",
        "email",
        "status",
    ]
    assert [row[3:] for row in rows[1:]] == [
        ["Rae Okafor", "rae@example.com", "registered"],
        # A spreadsheet would run it as a formula: quoted as text.
        ["'=HYPERLINK(1)", "sam@example.com", "registered"],
    ]
    assert rows[1][:2] == [str(event.pk), "Evening calm"]


def test_the_mark_registered_attended_action(admin_client):
    event = _event(capacity=1)
    seat, _ = event_register(user=UserFactory(), event=event)
    waiting, _ = event_register(user=UserFactory(), event=event)

    with time_machine.travel(event.starts_at + timedelta(minutes=1), tick=False):
        response = admin_client.post(
            EVENTS,
            {"action": "mark_registered_attended", "_selected_action": [event.pk]},
            follow=True,
        )

    assert "Marked 1 registration(s) attended." in _messages(response)
    seat.refresh_from_db()
    waiting.refresh_from_db()
    assert (seat.status, waiting.status) == ("attended", "waitlisted")


def test_the_registrations_admin_marks_the_selected_ones_attended(admin_client):
    event = _event()
    chosen, _ = event_register(user=UserFactory(), event=event)
    other, _ = event_register(user=UserFactory(), event=event)

    with time_machine.travel(event.starts_at + timedelta(minutes=1), tick=False):
        response = admin_client.post(
            REGISTRATIONS,
            {"action": "mark_attended", "_selected_action": [chosen.pk]},
            follow=True,
        )

    assert "Marked 1 registration(s) attended." in _messages(response)
    chosen.refresh_from_db()
    other.refresh_from_db()
    assert (chosen.status, other.status) == ("attended", "registered")


def test_staff_who_may_only_view_registrations_cannot_mark_attendance():
    from django.contrib.auth.models import Permission

    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(
        Permission.objects.get(codename="view_eventregistration")
    )
    client = Client()
    client.force_login(viewer)
    event = _event()
    registration, _ = event_register(user=UserFactory(), event=event)

    with time_machine.travel(event.starts_at + timedelta(minutes=1), tick=False):
        client.post(
            REGISTRATIONS,
            {"action": "mark_attended", "_selected_action": [registration.pk]},
        )

    registration.refresh_from_db()
    assert registration.status == "registered"
