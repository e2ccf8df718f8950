"""Project-wide housekeeping tasks, run on the beat schedule in kaya/celery.py."""

from __future__ import annotations

from celery import shared_task
from django.core.management import call_command


@shared_task(name="kaya.flush_expired_tokens", ignore_result=True)
def flush_expired_tokens() -> None:
    """Delete expired outstanding and blacklisted refresh tokens (SimpleJWT)."""
    call_command("flushexpiredtokens", verbosity=0)


@shared_task(name="kaya.clear_sessions", ignore_result=True)
def clear_sessions() -> None:
    """Delete expired Django sessions (the admin's)."""
    call_command("clearsessions", verbosity=0)
