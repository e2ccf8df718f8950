"""Rebuild (or verify) the rollups from the rows they sum: the per-day mood
rollup, and the per-day and lifetime session rollups.

Users in id order, one transaction per batch; every batch prints the last user
id it finished, so an interrupted run resumes with ``--after-user-id``.
``--verify`` only compares and lists the rows that differ (exit status 1 when
any do); ``--dry-run`` rebuilds each batch and rolls it back.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, transaction

from kaya import rollups


class Command(BaseCommand):
    help = "Rebuild or verify the mood and session rollups from their source rows."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--after-user-id",
            type=int,
            default=0,
            help="Resume after this user id (the last one a previous run printed).",
        )
        parser.add_argument(
            "--user-id",
            type=int,
            action="append",
            default=[],
            help="Only this user (repeatable).",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=500,
            help="Users per transaction (default 500).",
        )
        parser.add_argument(
            "--verify",
            action="store_true",
            help="Change nothing: list the rollup rows that differ from their "
            "source rows and exit with status 1 if any do.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Rebuild and report, then roll back: nothing is stored.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        size = options["batch_size"]
        if size < 1:
            raise CommandError("--batch-size must be at least 1.")
        ids = sorted(options["user_id"]) or rollups.rollup_user_ids(
            after_user_id=options["after_user_id"]
        )
        verify, dry_run = options["verify"], options["dry_run"]
        done = rows = 0
        differing: list[str] = []
        after = options["after_user_id"]
        for start in range(0, len(ids), size):
            batch = ids[start : start + size]
            try:
                with transaction.atomic():
                    for spec in rollups.specs():
                        if verify:
                            differing += [
                                f"{spec.label} {key}"
                                for key in spec.differences(apps, batch)
                            ]
                        else:
                            rows += spec.rebuild(apps, batch)
                    if dry_run:
                        transaction.set_rollback(True)
            except DatabaseError as exc:
                raise CommandError(
                    f"Rebuild failed after user id {after} (that batch was rolled "
                    f"back; resume with --after-user-id {after}): {exc}"
                ) from exc
            after = batch[-1]
            done += len(batch)
            self.stdout.write(
                f"{done}/{len(ids)} users done, {rows} rows written, "
                f"{len(differing)} differing; last user id {after}"
            )
        if verify:
            for line in differing:
                self.stdout.write(f"differs: {line}")
            if differing:
                raise CommandError(f"{len(differing)} rollup rows differ.")
            self.stdout.write(self.style.SUCCESS(f"Verified {done} users."))
            return
        prefix = "Dry run: would have written" if dry_run else "Done: wrote"
        self.stdout.write(self.style.SUCCESS(f"{prefix} {rows} rows for {done} users."))
