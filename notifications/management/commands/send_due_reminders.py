"""Send what is due now, as beat does every minute (kaya/celery.py):

- due scheduled notifications (``notifications.dispatch_due_notifications``:
  booking and program-day reminders, like nudges, ...);
- the daily practice reminders whose local time has come
  (``notifications.send_practice_reminders``).

Both services send each notification exactly once, so running this beside beat
(or twice) sends nothing twice. ``--dry-run`` runs them and rolls back.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, transaction

from notifications.services import (
    practice_reminders_send,
    scheduled_notifications_dispatch,
)


class Command(BaseCommand):
    help = (
        "Send the due scheduled notifications and daily practice reminders now "
        "(what beat runs every minute). Never sends one twice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch-size",
            type=int,
            default=200,
            help="Scheduled notifications claimed per batch (default 200).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Count what would be sent, then roll back: nothing is sent.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        size = options["batch_size"]
        if size < 1:
            raise CommandError("--batch-size must be at least 1.")
        dry_run = options["dry_run"]
        try:
            with transaction.atomic():
                scheduled = self._dispatch(size)
                practice = practice_reminders_send()
                if dry_run:
                    transaction.set_rollback(True)
        except DatabaseError as exc:
            raise CommandError(f"Sending failed: {exc}") from exc
        verb = "Dry run: would send" if dry_run else "Sent"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} {scheduled} scheduled notifications and {practice} "
                "practice reminders."
            )
        )

    def _dispatch(self, size: int) -> int:
        total = 0
        while True:
            sent = scheduled_notifications_dispatch(batch_size=size)
            total += sent
            if sent:
                self.stdout.write(f"scheduled notifications: {total} sent so far")
            # A short batch means nothing more is due (or the rest is being
            # sent by another dispatcher right now).
            if sent < size:
                return total
