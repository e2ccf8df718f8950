"""Re-encrypt every encrypted column of every model (any app) with the newest key.

    FIELD_ENCRYPTION_KEYS=<new>,<old> manage.py rotate_encryption_keys
    # then deploy with FIELD_ENCRYPTION_KEYS=<new>

Rows are walked in primary-key order, batch by batch, each batch in its own
transaction. Values already encrypted with the newest key are left alone, so an
interrupted run is resumed by running it again (or, to skip straight to where it
stopped, with --model and --after-pk from the last progress line).
``--dry-run`` decrypts and counts what would be re-encrypted, writing nothing.
"""

from __future__ import annotations

from typing import Any

from cryptography.fernet import InvalidToken
from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import models, transaction
from django.db.models import ExpressionWrapper, F, TextField, Value

from kaya.fields import EncryptedFieldMixin, is_encrypted_with_primary, multifernet


def encrypted_models() -> list[tuple[type[models.Model], list[str]]]:
    """Every concrete model with an encrypted column of its own table."""
    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        names = [
            f.name
            for f in model._meta.local_concrete_fields
            if isinstance(f, EncryptedFieldMixin)
        ]
        if names:
            found.append((model, names))
    return sorted(found, key=lambda item: item[0]._meta.label)


class Command(BaseCommand):
    help = "Re-encrypt all encrypted fields with the newest FIELD_ENCRYPTION_KEYS key."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch-size",
            type=int,
            default=500,
            help="Rows read, locked and re-encrypted per transaction (default 500).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check every value decrypts and count what would be re-encrypted; "
            "write nothing.",
        )
        parser.add_argument(
            "--model",
            action="append",
            dest="models",
            metavar="APP_LABEL.MODEL",
            help="Only this model (repeatable). Default: every encrypted model.",
        )
        parser.add_argument(
            "--after-pk",
            default=None,
            help="Resume after this primary key (needs exactly one --model).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        batch_size = options["batch_size"]
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        targets = encrypted_models()
        if options["models"]:
            wanted = {label.lower() for label in options["models"]}
            known = {model._meta.label_lower for model, _ in targets}
            if unknown := wanted - known:
                raise CommandError(
                    f"No encrypted fields on: {', '.join(sorted(unknown))}."
                )
            targets = [t for t in targets if t[0]._meta.label_lower in wanted]
        if options["after_pk"] is not None and len(targets) != 1:
            raise CommandError("--after-pk needs exactly one --model.")

        total_rotated = 0
        for model, fields in targets:
            total_rotated += self._rotate_model(
                model,
                fields,
                batch_size=batch_size,
                after_pk=options["after_pk"],
                dry_run=options["dry_run"],
            )
        if options["dry_run"]:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Dry run: {total_rotated} rows would be re-encrypted; nothing "
                    "was written."
                )
            )
            return
        self.stdout.write(
            self.style.SUCCESS(f"Done: {total_rotated} rows re-encrypted.")
        )

    def _rotate_model(
        self,
        model: type[models.Model],
        fields: list[str],
        *,
        batch_size: int,
        after_pk: Any,
        dry_run: bool = False,
    ) -> int:
        label = model._meta.label
        manager = model._base_manager
        # Read the stored tokens as plain text (no decryption on the way out).
        raw = {
            f"_raw_{name}": ExpressionWrapper(F(name), output_field=TextField())
            for name in fields
        }
        total = manager.count()
        checked = rotated = 0
        last = after_pk
        self.stdout.write(f"{label}: {total} rows, fields {', '.join(fields)}")
        while True:
            with transaction.atomic():
                queryset = manager.order_by("pk")
                if last is not None:
                    queryset = queryset.filter(pk__gt=last)
                # Lock the batch: a row edited between our read and our write
                # would otherwise get its old text written back.
                rows = list(
                    queryset.select_for_update()
                    .annotate(**raw)
                    .values_list("pk", *raw)[:batch_size]
                )
                if not rows:
                    break
                updates = []
                for pk, *tokens in rows:
                    # None and "" (an empty text, kaya.fields) hold no token.
                    if all(not t or is_encrypted_with_primary(t) for t in tokens):
                        continue
                    obj = model(pk=pk)
                    for name, token in zip(fields, tokens, strict=True):
                        setattr(obj, name, self._rotate(token, label, pk))
                    updates.append(obj)
                if updates and not dry_run:
                    manager.bulk_update(updates, fields)
            checked += len(rows)
            rotated += len(updates)
            last = rows[-1][0]
            verb = "to re-encrypt" if dry_run else "re-encrypted"
            self.stdout.write(
                f"{label}: {checked}/{total} checked, {rotated} {verb}, last pk {last}"
            )
        return rotated

    @staticmethod
    def _rotate(token: str | None, label: str, pk: Any) -> Value:
        if not token:
            return Value(token, output_field=TextField())
        try:
            rotated = multifernet().rotate(token.encode("ascii")).decode("ascii")
        except (InvalidToken, UnicodeError):
            raise CommandError(
                f"{label} pk={pk}: no key in FIELD_ENCRYPTION_KEYS decrypts this "
                "value. Nothing was changed in this batch."
            ) from None
        return Value(rotated, output_field=TextField())
