"""manage.py send_due_reminders: what beat runs every minute, by hand."""

import io
from datetime import time, timedelta

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.tests.factories import UserFactory
from notifications.models import Notification, ScheduledNotification

pytestmark = pytest.mark.django_db


def _schedule(user, key, send_at):
    return ScheduledNotification.objects.create(
        user=user,
        type=Notification.Type.SESSION_REMINDER,
        title="Your session starts soon",
        send_at=send_at,
        dedupe_key=key,
    )


def test_send_due_reminders_sends_due_rows_once(user):
    now = timezone.now()
    due = [_schedule(user, f"due-{n}", now - timedelta(minutes=n)) for n in range(3)]
    later = _schedule(user, "later", now + timedelta(hours=1))
    out = io.StringIO()

    call_command("send_due_reminders", batch_size=2, stdout=out)
    call_command("send_due_reminders", stdout=io.StringIO())

    assert Notification.objects.filter(user=user).count() == 3
    statuses = dict(ScheduledNotification.objects.values_list("pk", "status"))
    assert [statuses[s.pk] for s in due] == ["sent"] * 3
    assert statuses[later.pk] == "pending"
    assert "Sent 3 scheduled notifications and 0 practice reminders." in out.getvalue()


def test_send_due_reminders_sends_the_practice_reminder_of_the_hour():
    with time_machine.travel("2026-03-02 08:05:00+00:00", tick=False):
        user = UserFactory(timezone="Europe/London", reminder_time=time(8, 0))
        out = io.StringIO()

        call_command("send_due_reminders", stdout=out)

    assert Notification.objects.filter(user=user, type="session_reminder").count() == 1
    assert "0 scheduled notifications and 1 practice reminders" in out.getvalue()


def test_send_due_reminders_dry_run_sends_nothing(user):
    _schedule(user, "due", timezone.now() - timedelta(minutes=1))
    out = io.StringIO()

    call_command("send_due_reminders", dry_run=True, stdout=out)

    assert not Notification.objects.exists()
    assert ScheduledNotification.objects.get().status == "pending"
    assert "Dry run: would send 1 scheduled notifications" in out.getvalue()


def test_send_due_reminders_refuses_a_bad_batch_size():
    with pytest.raises(CommandError, match="--batch-size must be at least 1"):
        call_command("send_due_reminders", batch_size=0)
