"""The Celery app and the one beat schedule."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kaya.settings")

app = Celery("kaya")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Periodic work, declared in one place. Apps add their entries here.
app.conf.beat_schedule = {}
app.conf.beat_schedule["accounts-login-failures-purge"] = {
    "task": "accounts.tasks.accounts_login_failures_purge",
    "schedule": 3600.0,
}
app.conf.beat_schedule["accounts-email-sweep"] = {
    "task": "accounts.tasks.accounts_email_sweep",
    "schedule": 300.0,
}
app.conf.beat_schedule["accounts-tokens-purge"] = {
    "task": "accounts.tasks.accounts_tokens_purge",
    "schedule": 86400.0,
}
