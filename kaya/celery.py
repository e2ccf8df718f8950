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
#
# A plain dict handed to Celery once, below: reading ``app.conf`` finalizes the
# configuration, which evaluates Django's settings. Importing the ``kaya`` package
# must not do that, or whatever runs first (a pytest plugin that gives each xdist
# worker its own Redis database, a command that sets environment variables) is
# too late to change them.
BEAT_SCHEDULE: dict[str, dict[str, object]] = {}
# The email outbox (kaya.outbox): due, retried, held-back and stuck emails.
BEAT_SCHEDULE["sweep-email-outbox"] = {
    "task": "kaya.sweep_email_outbox",
    "schedule": 60.0,
}
BEAT_SCHEDULE["dispatch-due-notifications"] = {
    "task": "notifications.dispatch_due_notifications",
    "schedule": 60.0,
}
# Broadcast announcements whose task was lost (no progress for
# ANNOUNCEMENT_STALL_SECONDS) are resumed.
BEAT_SCHEDULE["resume-stalled-announcements"] = {
    "task": "notifications.resume_stalled_announcements",
    "schedule": 60.0,
}

# Notifications: the daily practice reminder at each user's local time.
BEAT_SCHEDULE["send-practice-reminders"] = {
    "task": "notifications.send_practice_reminders",
    "schedule": 60.0,
}

# Housekeeping (tasks in kaya/housekeeping.py and the apps), daily.
app.autodiscover_tasks(["kaya"], related_name="housekeeping")
BEAT_SCHEDULE["flush-expired-tokens"] = {
    "task": "kaya.flush_expired_tokens",
    "schedule": crontab(hour=3, minute=17),
}
BEAT_SCHEDULE["clear-sessions"] = {
    "task": "kaya.clear_sessions",
    "schedule": crontab(hour=3, minute=27),
}
BEAT_SCHEDULE["purge-scheduled-notifications"] = {
    "task": "notifications.purge_scheduled_notifications",
    "schedule": crontab(hour=3, minute=37),
}
# The AI companion's chats and generation jobs past their retention.
BEAT_SCHEDULE["purge-ai-records"] = {
    "task": "coaching.purge_ai_records",
    "schedule": crontab(hour=3, minute=47),
}

# Accounts: login-failure rows, expired token families. (Account emails go
# through the email outbox above.)
BEAT_SCHEDULE["accounts-login-failures-purge"] = {
    "task": "accounts.purge_login_failures",
    "schedule": 3600.0,
}
BEAT_SCHEDULE["accounts-tokens-purge"] = {
    "task": "accounts.purge_tokens",
    "schedule": 86400.0,
}

app.conf.beat_schedule = BEAT_SCHEDULE
