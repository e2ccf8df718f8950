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
app.conf.beat_schedule["dispatch-due-notifications"] = {
    "task": "notifications.dispatch_due_notifications",
    "schedule": 60.0,
}
