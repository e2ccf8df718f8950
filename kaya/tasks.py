"""Celery tasks of the shared pieces: thin, keyword-only ids, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from kaya.outbox import email_send, outbox_sweep


@shared_task(name="kaya.send_email", ignore_result=True)
def send_email(*, email_id: int) -> bool:
    return email_send(email_id=email_id)


@shared_task(name="kaya.sweep_email_outbox", ignore_result=True)
def sweep_email_outbox() -> int:
    return outbox_sweep()
