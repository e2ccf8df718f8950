"""Refusals from the journal's services. Each renders as the one 400 shape
(``validation_error`` with ``fields``), like the input serializers' refusals:
a service re-checks what a caller other than the API (admin, tasks, tests) might
pass, and the client sees the same answer either way."""

from __future__ import annotations

from typing import Any

from kaya.exceptions import ApplicationError

VALIDATION_MESSAGE = "The request is not valid; see fields."


class JournalInputError(ApplicationError):
    """A value a service refuses; ``fields`` names it, as a serializer would."""

    code = "validation_error"
    message = VALIDATION_MESSAGE

    def __init__(self, fields: dict[str, Any]) -> None:
        super().__init__(fields=fields)


class EntryMomentError(JournalInputError):
    """An entry dated in the future, too far back, or without an offset."""

    def __init__(self, field: str, error: str) -> None:
        super().__init__({field: [error]})


class UnknownMoodEntryError(JournalInputError):
    """A journal entry linked to a mood entry of another user (or none)."""

    def __init__(self) -> None:
        super().__init__({"mood_entry_id": ["Unknown mood entry."]})


class GratitudeItemCountError(JournalInputError):
    def __init__(self) -> None:
        super().__init__({"items": ["Give one to three items."]})


class MoodValueError(JournalInputError):
    """An unknown mood, emotion or factor, or an intensity out of 1..10."""

    def __init__(self, field: str, error: str) -> None:
        super().__init__({field: [error]})
