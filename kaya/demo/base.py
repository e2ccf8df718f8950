"""What every demo module shares: the published password and a tally of the
rows a run created, printed by the command (and by --dry-run)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from django.db import models

DEMO_PASSWORD = "kaya-demo-password"
DEMO_DOMAIN = "kaya.local"

_M = TypeVar("_M", bound=models.Model)


@dataclass
class SeedRun:
    """One run of seed_demo: the rows it created, by label."""

    created: Counter[str] = field(default_factory=Counter)
    # Optional progress output (the command's stdout.write).
    say: Callable[[str], None] = lambda text: None

    def ensure(
        self,
        label: str,
        model: type[_M],
        lookup: dict[str, Any],
        defaults: dict[str, Any] | None = None,
    ) -> _M:
        """The row matching ``lookup``, created with ``defaults`` if missing.
        An existing row is left exactly as it is."""
        obj, created = model._default_manager.get_or_create(
            **lookup, defaults=defaults or {}
        )
        if created:
            self.created[label] += 1
        return obj

    def count(self, label: str, number: int = 1) -> None:
        self.created[label] += number


def at_local(day: date, hour: int, minute: int, tz_name: str) -> datetime:
    """An aware UTC datetime for a wall-clock time in a time zone."""
    return datetime.combine(
        day, time(hour, minute), tzinfo=ZoneInfo(tz_name)
    ).astimezone(ZoneInfo("UTC"))
