"""Store every account address in its canonical form (accounts.addresses).

Rows are never merged. Where several accounts share one canonical form, or an
address has none (a non-ASCII local part), those rows are left untouched and
reported by id on the ``accounts.migrations`` logger and on stderr; staff resolve
them by hand (see the README). A left-over row cannot log in, since lookups
compare the canonical form exactly. A pending (unverified) new address with no
canonical form is dropped; the user can request the change again.
"""

from __future__ import annotations

import logging
import sys
from collections import defaultdict

from django.db import migrations

from accounts.addresses import EmailAddressError, email_canonical

logger = logging.getLogger("accounts.migrations")


def _report(message: str) -> None:
    logger.warning(message)
    sys.stderr.write(f"  {message}\n")


def canonicalise_emails(apps, schema_editor) -> None:
    User = apps.get_model("accounts", "User")
    groups: dict[str, list[tuple[int, str]]] = defaultdict(list)
    no_form: list[int] = []
    for pk, email in User.objects.order_by("pk").values_list("pk", "email"):
        try:
            groups[email_canonical(email)].append((pk, email))
        except EmailAddressError:
            no_form.append(pk)
    if no_form:
        _report(
            "accounts: addresses with no canonical form, left untouched: users "
            + ", ".join(map(str, no_form))
        )
    for canonical, rows in groups.items():
        if len(rows) > 1:
            # Canonical forms are idempotent, so the row (if any) already in
            # canonical form is in this group too: leaving the group alone
            # keeps every other group free of it.
            _report(
                "accounts: one canonical address shared by users "
                + ", ".join(str(pk) for pk, _ in rows)
                + "; left untouched, not merged"
            )
            continue
        pk, email = rows[0]
        if email != canonical:
            User.objects.filter(pk=pk).update(email=canonical)

    for pk, pending in (
        User.objects.exclude(pending_email="")
        .order_by("pk")
        .values_list("pk", "pending_email")
    ):
        try:
            canonical = email_canonical(pending)
        except EmailAddressError:
            canonical = ""
        if canonical != pending:
            User.objects.filter(pk=pk).update(pending_email=canonical)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_tokenfamily"),
    ]

    operations = [
        migrations.RunPython(canonicalise_emails, migrations.RunPython.noop),
    ]
