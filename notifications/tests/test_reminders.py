"""The daily practice reminder: at the user's local time, once per local day."""

import threading
from collections import Counter
from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from django.db import connection

from accounts.tests.factories import UserFactory
from notifications.models import Notification, ScheduledNotification
from notifications.services import notification_email_status, practice_reminders_send
from notifications.tasks import send_practice_reminders

pytestmark = pytest.mark.django_db


def _beat(start, end, every=timedelta(minutes=5), runs_per_tick=1):
    """Run the reminder task like beat would, with a frozen clock per tick."""
    moment = start
    while moment < end:
        with time_machine.travel(moment, tick=False):
            for _ in range(runs_per_tick):
                send_practice_reminders()
        moment += every


def _reminders(user):
    return list(
        Notification.objects.filter(
            user=user, type=Notification.Type.SESSION_REMINDER
        ).order_by("created_at")
    )


def test_one_reminder_per_local_day_across_time_zones():
    tokyo = UserFactory(timezone="Asia/Tokyo", reminder_time=time(8, 0))
    new_york = UserFactory(timezone="America/New_York", reminder_time=time(8, 0))
    utc = UserFactory(timezone="UTC", reminder_time=time(21, 30))
    none = UserFactory(timezone="UTC", reminder_time=None)

    # Two days, beat every 5 minutes, each run delivered twice. Beat starts when
    # every user's reminder time for that day is over two hours past.
    _beat(
        datetime(2026, 5, 31, 14, 0, tzinfo=UTC),
        datetime(2026, 6, 2, 14, 0, tzinfo=UTC),
        runs_per_tick=2,
    )

    # Tokyo is UTC+9: 08:00 local is 23:00 UTC the day before.
    assert [n.created_at for n in _reminders(tokyo)] == [
        datetime(2026, 5, 31, 23, 0, tzinfo=UTC),
        datetime(2026, 6, 1, 23, 0, tzinfo=UTC),
    ]
    # New York is UTC-4 in June: 08:00 local is 12:00 UTC.
    assert [n.created_at for n in _reminders(new_york)] == [
        datetime(2026, 6, 1, 12, 0, tzinfo=UTC),
        datetime(2026, 6, 2, 12, 0, tzinfo=UTC),
    ]
    assert [n.created_at for n in _reminders(utc)] == [
        datetime(2026, 5, 31, 21, 30, tzinfo=UTC),
        datetime(2026, 6, 1, 21, 30, tzinfo=UTC),
    ]
    assert _reminders(none) == []
    assert [n.data["local_date"] for n in _reminders(new_york)] == [
        "2026-06-01",
        "2026-06-02",
    ]


def test_spring_forward_day_sends_one_reminder_after_the_gap():
    # 2026-03-08 in New York: 02:00 EST jumps to 03:00 EDT; 02:30 never happens.
    user = UserFactory(timezone="America/New_York", reminder_time=time(2, 30))

    _beat(
        datetime(2026, 3, 7, 0, 0, tzinfo=UTC),
        datetime(2026, 3, 10, 0, 0, tzinfo=UTC),
        runs_per_tick=2,
    )

    assert [n.created_at for n in _reminders(user)] == [
        datetime(2026, 3, 7, 7, 30, tzinfo=UTC),  # 02:30 EST
        # The gap moves it forward by its length: 03:30 EDT.
        datetime(2026, 3, 8, 7, 30, tzinfo=UTC),
        datetime(2026, 3, 9, 6, 30, tzinfo=UTC),  # 02:30 EDT
    ]


def test_fall_back_day_sends_one_reminder_though_the_time_occurs_twice():
    # 2026-11-01 in New York: 01:00-02:00 happens twice (EDT, then EST).
    user = UserFactory(timezone="America/New_York", reminder_time=time(1, 30))

    _beat(
        datetime(2026, 10, 31, 0, 0, tzinfo=UTC),
        datetime(2026, 11, 3, 0, 0, tzinfo=UTC),
    )

    assert [n.created_at for n in _reminders(user)] == [
        datetime(2026, 10, 31, 5, 30, tzinfo=UTC),  # 01:30 EDT
        datetime(2026, 11, 1, 5, 30, tzinfo=UTC),  # the first 01:30 (EDT)
        datetime(2026, 11, 2, 6, 30, tzinfo=UTC),  # 01:30 EST
    ]


def test_a_reminder_time_set_after_it_passed_waits_for_the_next_day(settings):
    settings.PRACTICE_REMINDER_GRACE_MINUTES = 120
    user = UserFactory(timezone="Europe/Paris", reminder_time=time(7, 0))

    # Beat starts at 20:00 Paris time (18:00 UTC, CEST), far past 07:00.
    _beat(
        datetime(2026, 6, 1, 18, 0, tzinfo=UTC),
        datetime(2026, 6, 2, 18, 0, tzinfo=UTC),
    )

    assert [n.created_at for n in _reminders(user)] == [
        datetime(2026, 6, 2, 5, 0, tzinfo=UTC)
    ]


def test_a_late_beat_within_the_grace_period_still_reminds(settings):
    settings.PRACTICE_REMINDER_GRACE_MINUTES = 120
    user = UserFactory(timezone="UTC", reminder_time=time(7, 0))

    with time_machine.travel(datetime(2026, 6, 1, 8, 59, tzinfo=UTC), tick=False):
        assert practice_reminders_send() == 1
        assert practice_reminders_send() == 0

    assert len(_reminders(user)) == 1


def test_inactive_users_get_no_reminder():
    UserFactory(timezone="UTC", reminder_time=time(7, 0), is_active=False)

    with time_machine.travel(datetime(2026, 6, 1, 7, 0, tzinfo=UTC), tick=False):
        assert practice_reminders_send() == 0

    assert not Notification.objects.exists()


def test_the_reminder_is_recorded_under_its_local_date_key():
    user = UserFactory(timezone="Pacific/Auckland", reminder_time=time(6, 0))

    # 06:00 in Auckland (NZST, UTC+12) on 2026-06-02 is 18:00 UTC on 06-01.
    with time_machine.travel(datetime(2026, 6, 1, 18, 0, tzinfo=UTC), tick=False):
        practice_reminders_send()

    record = ScheduledNotification.objects.get(user=user)
    assert record.dedupe_key == "practice_reminder:2026-06-02"
    assert record.status == ScheduledNotification.Status.SENT
    assert record.notification == Notification.objects.get(user=user)
    assert notification_email_status(notification=record.notification) == "none"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_send_one_reminder():
    users = [UserFactory(timezone="UTC", reminder_time=time(7, 0)) for _ in range(5)]
    barrier = threading.Barrier(4)
    errors = []

    def run():
        try:
            with time_machine.travel(
                datetime(2026, 6, 1, 7, 1, tzinfo=UTC), tick=False
            ):
                barrier.wait(timeout=10)
                practice_reminders_send()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    counts = Counter(
        Notification.objects.filter(user__in=users).values_list("user_id", flat=True)
    )
    assert counts == {u.pk: 1 for u in users}
