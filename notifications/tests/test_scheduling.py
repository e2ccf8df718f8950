from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from notifications import realtime
from notifications.models import Notification, ScheduledNotification
from notifications.services import (
    notification_create,
    notification_schedule,
    notification_schedule_cancel,
    scheduled_notifications_dispatch,
)
from notifications.tasks import dispatch_due_notifications

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _schedule(user, key="program_day:1:2", at=NOON, title="Day 2 is ready"):
    return notification_schedule(
        user=user,
        type=Notification.Type.PROGRAM_DAY_READY,
        title=title,
        send_at=at,
        dedupe_key=key,
        data={"program_id": 1},
    )


def test_scheduling_the_same_key_twice_keeps_one_row(user):
    first = _schedule(user)
    second = _schedule(user, at=NOON + timedelta(hours=1), title="Moved")

    assert first.pk == second.pk
    row = ScheduledNotification.objects.get()
    assert row.send_at == NOON + timedelta(hours=1)
    assert row.title == "Moved"


def test_naive_send_at_is_refused(user):
    with pytest.raises(ValueError, match="aware"):
        _schedule(user, at=datetime(2026, 3, 1, 12, 0))


def test_nothing_is_sent_before_its_time(user):
    _schedule(user)

    with time_machine.travel(NOON - timedelta(seconds=1), tick=False):
        assert scheduled_notifications_dispatch() == 0
    assert Notification.objects.count() == 0


def test_due_rows_are_sent_exactly_once(user, other_user):
    _schedule(user)
    _schedule(other_user)

    with time_machine.travel(NOON + timedelta(minutes=5), tick=False):
        assert dispatch_due_notifications() == 2
        assert dispatch_due_notifications() == 0

    assert Notification.objects.filter(user=user).count() == 1
    notification = Notification.objects.get(user=user)
    assert notification.title == "Day 2 is ready"
    assert notification.data == {"program_id": 1}
    row = ScheduledNotification.objects.get(user=user)
    assert row.status == ScheduledNotification.Status.SENT
    assert row.notification_id == notification.pk


def test_a_sent_row_is_not_rescheduled(user):
    _schedule(user)
    with time_machine.travel(NOON, tick=False):
        scheduled_notifications_dispatch()

    _schedule(user, at=NOON + timedelta(days=1))

    assert ScheduledNotification.objects.get().send_at == NOON


def test_cancelled_rows_are_not_sent(user):
    _schedule(user)

    assert notification_schedule_cancel(user=user, dedupe_key="program_day:1:2")
    with time_machine.travel(NOON + timedelta(hours=1), tick=False):
        assert scheduled_notifications_dispatch() == 0
    assert not Notification.objects.exists()


def test_notification_create_pushes_to_the_owner_group_on_commit(
    user, django_capture_on_commit_callbacks
):
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(realtime.user_group(user.pk), channel)

    with django_capture_on_commit_callbacks(execute=True):
        notification = notification_create(
            user=user, type=Notification.Type.SYSTEM, title="Hello", body="Welcome"
        )

    message = async_to_sync(layer.receive)(channel)
    assert message["type"] == "user.event"
    assert message["event"]["type"] == "notification.created"
    assert message["event"]["data"]["id"] == notification.pk
    assert message["event"]["data"]["title"] == "Hello"
