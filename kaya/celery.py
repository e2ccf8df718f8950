"""The Celery app and the one beat schedule."""

from __future__ import annotations

import os
from logging.config import dictConfig

from celery import Celery
from celery.schedules import crontab
from celery.signals import setup_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kaya.settings")

app = Celery("kaya")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect
def _log_through_django_settings(**kwargs: object) -> None:
    """Worker and beat log with settings.LOGGING (JSON lines, secrets redacted).

    Without a receiver here Celery replaces the root handlers with its own plain
    formatter, which would bypass the redaction filter. LOG_LEVEL, not `-l`,
    then sets the level.
    """
    from django.conf import settings

    dictConfig(settings.LOGGING)


# Periodic work, declared in one place. Apps add their entries here.
app.conf.beat_schedule = {}
# The email outbox (kaya.outbox): due, retried, held-back and stuck emails.
app.conf.beat_schedule["sweep-email-outbox"] = {
    "task": "kaya.sweep_email_outbox",
    "schedule": 60.0,
}
app.conf.beat_schedule["dispatch-due-notifications"] = {
    "task": "notifications.dispatch_due_notifications",
    "schedule": 60.0,
}

# Notifications: the daily practice reminder at each user's local time.
app.conf.beat_schedule["send-practice-reminders"] = {
    "task": "notifications.send_practice_reminders",
    "schedule": 60.0,
}

# Housekeeping (tasks in kaya/housekeeping.py and the apps), daily.
app.autodiscover_tasks(["kaya"], related_name="housekeeping")
app.conf.beat_schedule["flush-expired-tokens"] = {
    "task": "kaya.flush_expired_tokens",
    "schedule": crontab(hour=3, minute=17),
}
app.conf.beat_schedule["clear-sessions"] = {
    "task": "kaya.clear_sessions",
    "schedule": crontab(hour=3, minute=27),
}
app.conf.beat_schedule["purge-scheduled-notifications"] = {
    "task": "notifications.purge_scheduled_notifications",
    "schedule": crontab(hour=3, minute=37),
}

# Accounts: login-failure rows, expired token families. (Account emails go
# through the email outbox above.)
app.conf.beat_schedule["accounts-login-failures-purge"] = {
    "task": "accounts.purge_login_failures",
    "schedule": 3600.0,
}
app.conf.beat_schedule["accounts-tokens-purge"] = {
    "task": "accounts.purge_tokens",
    "schedule": 86400.0,
}
