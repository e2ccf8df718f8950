"""Load demo data for local development: `make run` calls this.

The content lives in ``kaya.demo`` (one module per concern). Idempotent: a row
that exists is never changed, and a member's history is written only once, so
a second run writes nothing. Refuses to run with DEBUG off unless --force,
since it creates accounts with a published password.

Features built beside it join in when present: the staff role groups
(``manage.py staff_roles``), demo challenges
(``wellness.demo_challenges.seed_demo_challenges``) and demo events
(``wellness.demo_events.seed_demo_events``).
"""

from __future__ import annotations

import importlib
import importlib.util
from io import StringIO
from typing import Any

from django.conf import settings
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, transaction
from django.utils import timezone

from kaya.demo import achievements, care, community, journal, programs, users
from kaya.demo.base import SeedRun
from kaya.demo.users import DEMO_LOGINS

# Another feature's demo seeder, run when its module exists: (module, function).
OPTIONAL_SEEDERS = [
    ("wellness.demo_challenges", "seed_demo_challenges"),
    ("wellness.demo_events", "seed_demo_events"),
]
# Commands that create the staff role groups, the first that exists is run.
ROLE_COMMANDS = ("staff_roles", "community_moderators")


def optional_seeders() -> list[tuple[str, Any]]:
    """The optional seeders whose modules exist, as (label, function)."""
    found = []
    for module_name, function in OPTIONAL_SEEDERS:
        if importlib.util.find_spec(module_name) is None:
            continue
        module = importlib.import_module(module_name)
        found.append((module_name, getattr(module, function)))
    return found


class Command(BaseCommand):
    help = (
        "Load the demo catalogue (programs in English and Spanish, achievements, "
        "therapists, support groups, prompts, crisis lines) and demo accounts "
        "with four weeks of history. Idempotent: existing rows are left alone."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off (creates accounts with a known password).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Report what would be created, then roll everything back.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError("seed_demo runs only with DEBUG on (or --force).")
        dry_run = options["dry_run"]
        run = SeedRun(say=self.stdout.write)
        try:
            with transaction.atomic():
                self._seed(run)
                if dry_run:
                    transaction.set_rollback(True)
        except DatabaseError as exc:
            raise CommandError(
                f"seed_demo failed, nothing was saved: {exc}. Is the database "
                "migrated (manage.py migrate)?"
            ) from exc
        created = ", ".join(f"{n} {label}" for label, n in run.created.items())
        if dry_run:
            self.stdout.write(f"Dry run: would create {created or 'nothing'}.")
            return
        self.stdout.write(f"Created {created}." if created else "Nothing to add.")
        self.stdout.write(self.style.SUCCESS("Demo data ready. Demo logins:"))
        for login in DEMO_LOGINS:
            self.stdout.write(
                f"  {login['email']} / {login['password']} ({login['use']})"
            )

    def _seed(self, run: SeedRun) -> None:
        now = timezone.now()
        commands = get_commands()
        for name in ROLE_COMMANDS:
            if name in commands:
                run.say(f"staff roles ({name})")
                call_command(name, stdout=StringIO())
                break
        run.say("accounts")
        accounts = users.seed_accounts(run, now=now)
        run.say("programs")
        programs.seed(run)
        run.say("achievements")
        achievements.seed(run)
        run.say("prompts and crisis resources")
        journal.seed(run)
        run.say("therapists")
        care.seed(run, therapist_users={"therapist@kaya.local": accounts["therapist"]})
        run.say("community")
        community.seed(run, users=accounts, now=now)
        run.say("history of the demo members")
        users.seed_history(run, users=accounts, now=now)
        for label, seeder in optional_seeders():
            run.say(label)
            seeder()
