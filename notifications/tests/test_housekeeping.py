"""The beat schedule and the housekeeping tasks it runs."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from kaya.celery import app
from kaya.housekeeping import clear_sessions, flush_expired_tokens
from notifications.models import Notification, ScheduledNotification
from notifications.tasks import purge_scheduled_notifications

pytestmark = pytest.mark.django_db


def test_every_beat_entry_names_a_registered_task():
    app.loader.import_default_modules()
    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}

    assert tasks <= set(app.tasks)
    assert {
        "notifications.dispatch_due_notifications",
        "kaya.sweep_email_outbox",
        "notifications.send_practice_reminders",
        "notifications.purge_scheduled_notifications",
        "kaya.flush_expired_tokens",
        "kaya.clear_sessions",
    } <= tasks


def test_flush_expired_tokens_deletes_only_expired_refresh_tokens(user, settings):
    with time_machine.travel(datetime(2026, 1, 1, tzinfo=UTC), tick=False):
        RefreshToken.for_user(user)
    RefreshToken.for_user(user)

    flush_expired_tokens.delay()

    assert OutstandingToken.objects.count() == 1
    assert OutstandingToken.objects.get().expires_at > datetime.now(UTC)


def test_clear_sessions_deletes_only_expired_sessions():
    with time_machine.travel(datetime(2026, 1, 1, tzinfo=UTC), tick=False):
        expired = SessionStore()
        expired.create()
    current = SessionStore()
    current.create()

    clear_sessions.delay()

    assert list(Session.objects.values_list("session_key", flat=True)) == [
        current.session_key
    ]


def test_purge_keeps_pending_and_recent_scheduled_rows(user):
    now = datetime(2026, 6, 1, tzinfo=UTC)

    def row(key, status, age_days):
        return ScheduledNotification.objects.create(
            user=user,
            type=Notification.Type.SYSTEM,
            title="t",
            send_at=now - timedelta(days=age_days),
            dedupe_key=key,
            status=status,
        )

    row("old-sent", ScheduledNotification.Status.SENT, 40)
    row("old-cancelled", ScheduledNotification.Status.CANCELLED, 40)
    row("old-pending", ScheduledNotification.Status.PENDING, 40)
    row("recent-sent", ScheduledNotification.Status.SENT, 5)

    with time_machine.travel(now, tick=False):
        purge_scheduled_notifications.delay()

    kept = ScheduledNotification.objects.values_list("dedupe_key", flat=True)
    assert sorted(kept) == ["old-pending", "recent-sent"]
