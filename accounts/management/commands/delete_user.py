"""Erase one account and all its data: the same erasure as the API's account
deletion (``accounts.services.user_erase``: every app's registry erase handler,
then the user row, in one transaction; tokens revoked, websockets closed).

    manage.py delete_user someone@example.com            # asks to confirm
    manage.py delete_user someone@example.com --yes      # scripts
    manage.py delete_user someone@example.com --dry-run  # erase, roll back

It cannot be undone. Without --yes it asks for the email address again, and
refuses when there is no terminal to ask on.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, transaction

from accounts.context import RequestContext
from accounts.selectors import user_by_email
from accounts.services import user_erase

COMMAND_CONTEXT = RequestContext(user_agent="manage.py delete_user")


class Command(BaseCommand):
    help = (
        "Erase an account and every app's data about it (the API's account "
        "deletion). Cannot be undone; asks to confirm unless --yes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="The account's email address.")
        parser.add_argument(
            "--yes",
            action="store_true",
            help="Do not ask for confirmation (for scripts).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Run the erasure and roll it back: nothing is deleted.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        email = options["email"]
        user = user_by_email(email=email)
        if user is None:
            raise CommandError(f"No account with the email {email!r}.")
        dry_run = options["dry_run"]
        if not dry_run and not options["yes"]:
            self._confirm(user.email)
        user_id = user.pk
        try:
            with transaction.atomic():
                user_erase(user=user, context=COMMAND_CONTEXT)
                if dry_run:
                    transaction.set_rollback(True)
        except DatabaseError as exc:
            raise CommandError(f"Erasure failed, nothing was deleted: {exc}") from exc
        if dry_run:
            self.stdout.write(
                f"Dry run: account {user_id} ({email}) and its data would be "
                "erased; nothing was deleted."
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(f"Erased account {user_id} and all its data.")
            )

    def _confirm(self, email: str) -> None:
        if not sys.stdin.isatty():
            raise CommandError(
                "Refusing to erase without confirmation: pass --yes (no terminal "
                "to ask on)."
            )
        answer = input(
            f"This erases {email} and all their data, for good. Type the email "
            "address to confirm: "
        )
        if answer.strip().lower() != email.lower():
            raise CommandError("Not confirmed; nothing was deleted.")
