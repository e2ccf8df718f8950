"""Recompute every user's achievement progress after staff add or change a rule.

Batches of users in id order, one transaction each; every batch prints the last
user id it finished, so an interrupted run resumes with ``--after-user-id``.
``--dry-run`` computes everything and rolls each batch back.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, transaction

from wellness.services import achievements_recompute_batch


class Command(BaseCommand):
    help = "Recompute achievement progress and unlocks for all active users."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--after-user-id",
            type=int,
            default=0,
            help="Resume after this user id (the last one a previous run printed).",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=500,
            help="Users per transaction (default 500).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Compute and report, then roll back: nothing is stored or sent.",
        )
        parser.add_argument(
            "--notify",
            action="store_true",
            help="Send the achievement_unlocked notifications for new unlocks.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        after = options["after_user_id"]
        size = options["batch_size"]
        if size < 1:
            raise CommandError("--batch-size must be at least 1.")
        dry_run = options["dry_run"]
        users = unlocked = 0
        while True:
            try:
                with transaction.atomic():
                    batch = achievements_recompute_batch(
                        after_user_id=after, batch_size=size, notify=options["notify"]
                    )
                    if dry_run:
                        transaction.set_rollback(True)
            except DatabaseError as exc:
                raise CommandError(
                    f"Recompute failed after user id {after} (that batch was rolled "
                    f"back; resume with --after-user-id {after}): {exc}"
                ) from exc
            if batch.last_user_id is None:
                break
            after = batch.last_user_id
            users += batch.users_count
            unlocked += batch.unlocked_count
            self.stdout.write(
                f"{users} users done, {unlocked} unlocks; last user id {after}"
            )
        prefix = "Dry run: would have unlocked" if dry_run else "Done: unlocked"
        self.stdout.write(self.style.SUCCESS(f"{prefix} {unlocked} for {users} users."))
