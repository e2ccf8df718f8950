"""Thin Celery tasks: take ids, call one service, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from notifications.services import (
    announcement_broadcast,
    announcements_resume_stalled,
    practice_reminders_send,
    scheduled_notifications_dispatch,
    scheduled_notifications_purge,
)


@shared_task(name="notifications.dispatch_due_notifications", ignore_result=True)
def dispatch_due_notifications() -> int:
    return scheduled_notifications_dispatch()


@shared_task(name="notifications.send_practice_reminders", ignore_result=True)
def send_practice_reminders() -> int:
    return practice_reminders_send()


@shared_task(name="notifications.purge_scheduled_notifications", ignore_result=True)
def purge_scheduled_notifications() -> int:
    return scheduled_notifications_purge()


@shared_task(name="notifications.broadcast_announcement", ignore_result=True)
def broadcast_announcement(*, announcement_id: int) -> int:
    return announcement_broadcast(announcement_id=announcement_id)


@shared_task(name="notifications.resume_stalled_announcements", ignore_result=True)
def resume_stalled_announcements() -> int:
    return announcements_resume_stalled()
