"""Create or repair the staff role groups (kaya.staff.ROLES); also run by migrate."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from kaya.staff import ROLES, roles_sync


class _DryRunRollbackError(Exception):
    pass


class Command(BaseCommand):
    help = (
        "Create the staff role groups (content editors, moderators, support) and "
        "set each one's permissions to exactly those of kaya.staff. Idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Show what would change, and change nothing.",
        )

    def handle(self, *args: Any, dry_run: bool = False, **options: Any) -> None:
        try:
            with transaction.atomic():
                changes = roles_sync()
                if dry_run:
                    raise _DryRunRollbackError
        except _DryRunRollbackError:
            pass
        except LookupError as exc:
            raise CommandError(str(exc)) from exc
        prefix = "[dry run] " if dry_run else ""
        for change in changes:
            state = "created" if change.created else "exists"
            self.stdout.write(
                f"{prefix}{change.role}: {state}, "
                f"+{len(change.added)} -{len(change.removed)} permission(s)"
            )
            for name in change.added:
                self.stdout.write(f"  + {name}")
            for name in change.removed:
                self.stdout.write(f"  - {name}")
        self.stdout.write(f"{prefix}{len(ROLES)} role(s) in sync.")
