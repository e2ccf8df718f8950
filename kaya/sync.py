"""Delta sync for offline-first clients: every list of user-created resources
takes ``?updated_since=<instant>`` and then returns the rows changed at or after
it, oldest change first, deleted ones included as tombstones (``deleted_at``
set) where the resource can be deleted."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from django.db import models
from rest_framework import serializers

M = TypeVar("M", bound=models.Model)

UPDATED_SINCE_HELP = (
    "Delta sync: only rows changed at or after this instant (ISO 8601 with an "
    "offset), oldest change first, deleted ones as tombstones with `deleted_at`. "
    "Pass the largest `updated_at` you have seen; de-duplicate by `id`."
)


class AwareDateTimeField(serializers.DateTimeField):
    """An ISO 8601 instant that must carry its UTC offset: a bare wall-clock time
    is ambiguous for someone who travels."""

    default_error_messages = {
        "naive": "Include a UTC offset, e.g. 2026-11-26T08:30:00+01:00.",
    }

    def enforce_timezone(self, value: Any) -> Any:
        if value.tzinfo is None or value.utcoffset() is None:
            self.fail("naive")
        return super().enforce_timezone(value)


class UpdatedSinceInput(serializers.Serializer):
    updated_since = AwareDateTimeField(required=False, help_text=UPDATED_SINCE_HELP)


def changed_since(queryset: models.QuerySet[M], since: datetime) -> models.QuerySet[M]:
    """Rows changed at or after ``since``, in the order they changed (a client
    resumes from the last ``updated_at`` it saw)."""
    return queryset.filter(updated_at__gte=since).order_by("updated_at", "id")
