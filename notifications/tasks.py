"""Thin Celery tasks: take ids, call one service, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from notifications.services import scheduled_notifications_dispatch


@shared_task(name="notifications.dispatch_due_notifications", ignore_result=True)
def dispatch_due_notifications() -> int:
    return scheduled_notifications_dispatch()
