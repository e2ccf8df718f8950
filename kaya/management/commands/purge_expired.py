"""Delete what is past its retention, across apps (beat does each daily):

- refresh-token records and finished token families (``accounts.purge_tokens``)
- login failures older than the lockout window (``accounts.purge_login_failures``)
- sent or cancelled scheduled notifications older than 30 days
  (``notifications.purge_scheduled_notifications``)
- expired admin sessions (``kaya.clear_sessions``)
- AI chat conversations past ``AI_CHAT_RETENTION_DAYS`` and AI generation jobs
  past ``AI_GENERATION_RETENTION_DAYS``, when the AI companion is installed
  (``coaching.services.ai_chat_purge_expired``, ``ai_generation_purge_expired``;
  beat: ``coaching.purge_ai_records``)

Nothing else has a retention rule today: websocket tickets expire in the cache
on their own, idempotency keys are columns of the rows they protect, and privacy
exports are streamed, never stored. Each purge runs in its own transaction;
``--dry-run`` runs them and rolls each back.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from importlib import import_module
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, transaction
from django.utils import timezone

from accounts.services import login_failures_purge, tokens_purge
from notifications.services import scheduled_notifications_purge


def _sessions_purge(now: datetime) -> int | None:
    """Expired Django sessions (the admin's); None when the engine cannot count."""
    if settings.SESSION_ENGINE == "django.contrib.sessions.backends.db":
        from django.contrib.sessions.models import Session

        deleted, _ = Session.objects.filter(expire_date__lt=now).delete()
        return deleted
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
    return None


def purgers() -> list[tuple[str, Callable[[datetime], Any]]]:
    """(label, purge(now)) for everything with a retention rule today."""
    found: list[tuple[str, Callable[[datetime], Any]]] = [
        ("refresh tokens and token families", lambda now: tokens_purge()),
        ("login failures", lambda now: login_failures_purge()),
        (
            "scheduled notifications",
            lambda now: scheduled_notifications_purge(now=now),
        ),
        ("admin sessions", _sessions_purge),
    ]
    # The AI companion's chat retention, once that feature is installed.
    ai_chat_purge = getattr(
        import_module("coaching.services"), "ai_chat_purge_expired", None
    )
    if ai_chat_purge is not None:
        found.append(("AI chat conversations", lambda now: ai_chat_purge(now=now)))
    ai_generation_purge = getattr(
        import_module("coaching.services"), "ai_generation_purge_expired", None
    )
    if ai_generation_purge is not None:
        found.append(("AI generation jobs", lambda now: ai_generation_purge(now=now)))
    return found


class Command(BaseCommand):
    help = (
        "Delete expired tokens, old login failures, old scheduled notifications, "
        "expired admin sessions, and AI chats and generation jobs past their "
        "retention."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Count what would be deleted, then roll back: nothing is deleted.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        dry_run = options["dry_run"]
        now = timezone.now()
        total = 0
        for label, purge in purgers():
            try:
                with transaction.atomic():
                    result = purge(now)
                    if dry_run:
                        transaction.set_rollback(True)
            except DatabaseError as exc:
                raise CommandError(
                    f"Purging {label} failed (earlier purges were kept): {exc}"
                ) from exc
            count = self._count(result)
            total += count or 0
            shown = (
                "done (the session engine does not count)"
                if count is None
                else (f"{count} {'would be deleted' if dry_run else 'deleted'}")
            )
            self.stdout.write(f"{label}: {shown}")
        verb = "Dry run: would delete" if dry_run else "Done: deleted"
        self.stdout.write(self.style.SUCCESS(f"{verb} {total} rows."))

    @staticmethod
    def _count(result: Any) -> int | None:
        # Services return a count, or Django's delete() pair (count, by model).
        if isinstance(result, tuple):
            result = result[0]
        return result if isinstance(result, int) else None
