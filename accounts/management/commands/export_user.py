"""Export one account's data: the same document as the API's privacy export
(``accounts.services.user_export``, every app's registry handler), recorded in
the audit trail like the owner's own export.

    manage.py export_user someone@example.com > export.json
    manage.py export_user someone@example.com --output export.json

The document is health data: a file written with --output is readable by its
owner only, and an existing file is never overwritten.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.serializers.json import DjangoJSONEncoder

from accounts.context import RequestContext
from accounts.selectors import user_by_email
from accounts.services import user_export

# How the audit trail tells an operator's export from the owner's.
COMMAND_CONTEXT = RequestContext(user_agent="manage.py export_user")


class Command(BaseCommand):
    help = (
        "Write an account's data export (the API's privacy export document) as "
        "JSON to stdout or to --output."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="The account's email address.")
        parser.add_argument(
            "--output",
            type=Path,
            help="Write to this new file (mode 600) instead of stdout.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = user_by_email(email=options["email"])
        if user is None:
            raise CommandError(f"No account with the email {options['email']!r}.")
        output: Path | None = options["output"]
        if output is not None and output.exists():
            raise CommandError(f"{output} exists; choose a new file name.")
        document = user_export(user=user, context=COMMAND_CONTEXT)
        text = json.dumps(document, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)
        if output is None:
            self.stdout.write(text)
            return
        try:
            # O_EXCL: never follow or replace a file that appeared meanwhile.
            fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except OSError as exc:
            raise CommandError(f"Cannot write {output}: {exc.strerror}.") from exc
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text + "\n")
        self.stderr.write(f"Wrote the export of account {user.pk} to {output}.")
