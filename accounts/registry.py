"""Registries that let every app take part in account-wide features without
accounts importing them: privacy export/erasure and the user's stats.

Apps register from their AppConfig.ready():

    privacy.register(
        "journal",
        export=journal_export,      # (user) -> JSON-serialisable data
        erase=journal_erase,        # (user) -> None; delete or anonymise rows
        models=["journal.JournalEntry", ...],  # models this handler covers
    )
    privacy.exclude("journal.Prompt", "staff-curated content, no user data")
    privacy.retain("community.Post", "kept as 'deleted user' after erasure")
    stats.register("journal", journal_stats)   # (user) -> dict of totals

A stats provider's totals are cached per user (``accounts.selectors.user_stats``,
under ``kaya.rollups.USER_READS``): a provider reads only the user's own rows,
the user's local date, time zone and gentle mode, and every write that changes
what it reads calls ``kaya.rollups.user_reads_changed(user_id)`` (``rollup_add``
does it for rollup rows).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from accounts.models import User


@dataclass(frozen=True)
class PrivacyHandler:
    name: str
    export: Callable[[User], Any]
    erase: Callable[[User], None]
    models: tuple[str, ...]


@dataclass
class PrivacyRegistry:
    handlers: dict[str, PrivacyHandler] = field(default_factory=dict)
    # model label -> why it holds no exportable personal data, or is retained.
    excluded: dict[str, str] = field(default_factory=dict)
    # model label -> why its rows outlive an erased account (anonymised, with no
    # link left to the user). Everything else tied to the user is deleted.
    retained: dict[str, str] = field(default_factory=dict)

    def register(
        self,
        name: str,
        *,
        export: Callable[[User], Any],
        erase: Callable[[User], None],
        models: Iterable[str],
    ) -> None:
        self.handlers[name] = PrivacyHandler(name, export, erase, tuple(models))

    def exclude(self, model_label: str, reason: str) -> None:
        if not reason:
            raise ValueError("An excluded model needs a reason.")
        self.excluded[model_label] = reason

    def retain(self, model_label: str, reason: str) -> None:
        if not reason:
            raise ValueError("A retained model needs a reason.")
        self.retained[model_label] = reason

    def covered_models(self) -> set[str]:
        return {label for h in self.handlers.values() for label in h.models}


@dataclass
class StatsRegistry:
    providers: dict[str, Callable[[User], dict[str, Any]]] = field(default_factory=dict)

    def register(self, name: str, provider: Callable[[User], dict[str, Any]]) -> None:
        self.providers[name] = provider

    def collect(self, user: User) -> dict[str, Any]:
        totals: dict[str, Any] = {}
        for provider in self.providers.values():
            totals.update(provider(user))
        return totals


privacy = PrivacyRegistry()
stats = StatsRegistry()
