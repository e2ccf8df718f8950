"""Thin Celery tasks of the coaching app."""

from __future__ import annotations

from celery import shared_task

from coaching.services import ai as ai_services


@shared_task(name="coaching.generate_ai_content", ignore_result=True)
def generate_ai_content(*, job_id: int) -> None:
    """Generate a job's session or sleep story. Idempotent: a finished job is
    left alone."""
    ai_services.ai_generation_run(job_id=job_id)


@shared_task(name="coaching.purge_ai_records", ignore_result=True)
def purge_ai_records() -> int:
    """Daily: AI chats and generation jobs past their retention
    (``AI_CHAT_RETENTION_DAYS``, ``AI_GENERATION_RETENTION_DAYS``)."""
    return ai_services.ai_chat_purge_expired() + (
        ai_services.ai_generation_purge_expired()
    )
