"""Event workflows behind the API and the admin: attendance and the achievements
it feeds, staff moving an event or raising its capacity, privacy."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from accounts.tests.factories import UserFactory
from notifications.models import Notification, ScheduledNotification
from wellness import events as wellness_events
from wellness.models import (
    Achievement,
    AchievementRule,
    EventRegistration,
    UserAchievement,
)
from wellness.privacy import wellness_erase, wellness_export
from wellness.services import (
    event_attendance_mark,
    event_register,
    event_registration_cancel,
    event_seats_fill,
    event_time_changed,
)
from wellness.tests.factories import WellnessEventFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_events_achievement():
    return Achievement.objects.create(
        code="showing-up",
        name="Showing up",
        description="You joined two live events.",
        category=Achievement.Category.COMMUNITY,
        rule_kind=AchievementRule.EVENTS_ATTENDED,
        threshold=2,
    )


def _attend(registrations, django_capture_on_commit_callbacks):
    latest = max(r.event.starts_at for r in registrations)
    with (
        time_machine.travel(latest + timedelta(minutes=5), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        return event_attendance_mark(registration_ids=[r.pk for r in registrations])


# --- attendance -------------------------------------------------------------------
def test_attendance_publishes_event_attended_and_moves_the_achievement(
    user, two_events_achievement, django_capture_on_commit_callbacks
):
    first, _ = event_register(user=user, event=WellnessEventFactory())
    second, _ = event_register(user=user, event=WellnessEventFactory())
    seen = []

    def receive(sender, **kwargs):
        seen.append(kwargs)

    wellness_events.event_attended.connect(receive)
    try:
        result = _attend([first], django_capture_on_commit_callbacks)
    finally:
        wellness_events.event_attended.disconnect(receive)

    assert (result.marked_count, result.skipped_count) == (1, 0)
    assert seen == [
        {
            "signal": wellness_events.event_attended,
            "user_id": user.pk,
            "event_id": first.event_id,
            "registration_id": first.pk,
        }
    ]
    progress = UserAchievement.objects.get(user=user)
    assert (progress.progress, progress.unlocked_at) == (1, None)

    _attend([second], django_capture_on_commit_callbacks)

    progress.refresh_from_db()
    assert progress.progress == 2
    assert progress.unlocked_at is not None
    assert Notification.objects.filter(
        user=user, type=Notification.Type.ACHIEVEMENT_UNLOCKED
    ).exists()


def test_attendance_skips_waitlisted_cancelled_and_not_started(
    user, other_user, django_capture_on_commit_callbacks
):
    event = WellnessEventFactory(capacity=1)
    seat, _ = event_register(user=user, event=event)
    waitlisted, _ = event_register(user=other_user, event=event)
    cancelled_event = WellnessEventFactory()
    cancelled, _ = event_register(user=user, event=cancelled_event)
    event_registration_cancel(user=user, event=cancelled_event)
    future, _ = event_register(
        user=user,
        event=WellnessEventFactory(starts_at=event.starts_at + timedelta(days=1)),
    )

    with (
        time_machine.travel(event.starts_at + timedelta(minutes=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        result = event_attendance_mark(
            registration_ids=[seat.pk, waitlisted.pk, cancelled.pk, future.pk]
        )
        again = event_attendance_mark(registration_ids=[seat.pk])

    assert (result.marked_count, result.skipped_count) == (1, 3)
    assert (again.marked_count, again.skipped_count) == (0, 1)
    statuses = dict(EventRegistration.objects.values_list("pk", "status"))
    assert statuses == {
        seat.pk: "attended",
        waitlisted.pk: "waitlisted",
        cancelled.pk: "cancelled",
        future.pk: "registered",
    }


# --- staff changes ------------------------------------------------------------------
def test_moving_an_event_moves_the_reminders_and_tells_everyone(user, other_user):
    event = WellnessEventFactory(capacity=1)
    event_register(user=user, event=event)
    event_register(user=other_user, event=event)
    previous = event.starts_at
    event.starts_at = previous + timedelta(days=1)
    event.ends_at = event.starts_at + timedelta(hours=1)
    event.save()

    assert event_time_changed(event=event, previous_starts_at=previous) == 2

    reminders = ScheduledNotification.objects.filter(user=user).order_by("send_at")
    assert list(reminders.values_list("status", "send_at")) == [
        ("cancelled", previous - timedelta(hours=1)),
        ("pending", event.starts_at - timedelta(hours=1)),
    ]
    titles = Notification.objects.filter(
        type=Notification.Type.EVENT_UPDATE
    ).values_list("user", "title")
    assert sorted(titles) == sorted(
        [
            (user.pk, f"{event.title} has a new time"),
            (other_user.pk, f"{event.title} has a new time"),
        ]
    )
    assert not ScheduledNotification.objects.filter(user=other_user).exists()


def test_a_new_end_alone_keeps_the_reminder_and_tells_everyone(user):
    event = WellnessEventFactory()
    event_register(user=user, event=event)
    event.ends_at += timedelta(minutes=30)
    event.save()

    assert event_time_changed(event=event, previous_starts_at=event.starts_at) == 1

    reminders = ScheduledNotification.objects.filter(user=user)
    assert list(reminders.values_list("status", "send_at")) == [
        ("pending", event.starts_at - timedelta(hours=1))
    ]


def test_raising_the_capacity_gives_the_new_seats_to_the_waitlist_in_order():
    event = WellnessEventFactory(capacity=1)
    users = UserFactory.create_batch(4)
    for user in users:
        event_register(user=user, event=event)
    event.capacity = 3
    event.save(update_fields=["capacity"])

    assert event_seats_fill(event=event) == 2

    statuses = [EventRegistration.objects.get(user=user).status for user in users]
    assert statuses == ["registered", "registered", "registered", "waitlisted"]
    event.refresh_from_db()
    assert event.seats_taken == 3
    assert Notification.objects.filter(type="event_update").count() == 2


# --- privacy --------------------------------------------------------------------------
def test_export_lists_my_registrations(user):
    event = WellnessEventFactory(title="Evening calm")
    event_register(user=user, event=event)

    exported = wellness_export(user)["event_registrations"]

    assert len(exported) == 1
    assert exported[0]["event"] == "Evening calm"
    assert exported[0]["status"] == "registered"
    assert exported[0]["cancelled_at"] is None


def test_erasure_gives_the_seat_to_the_waitlist(user, other_user):
    event = WellnessEventFactory(capacity=1)
    event_register(user=user, event=event)
    event_register(user=other_user, event=event)

    wellness_erase(user)

    assert not EventRegistration.objects.filter(user=user).exists()
    assert EventRegistration.objects.get(user=other_user).status == "registered"
    event.refresh_from_db()
    assert event.seats_taken == 1
