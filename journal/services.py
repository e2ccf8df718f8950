"""Journal, gratitude and mood workflows.

Every write computes the user's local date of the entry at write time (from the
user's time zone then), so the day an entry belongs to never shifts later.
Domain events (journal.events) are sent after commit.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum, auto
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone

from journal import events, selectors
from journal.exceptions import (
    EntryMomentError,
    GratitudeItemCountError,
    MoodValueError,
    UnknownMoodEntryError,
)
from journal.models import (
    EMOTIONS,
    FACTORS,
    GratitudeEntry,
    JournalEntry,
    JournalTag,
    MoodEntry,
    MoodTag,
    Prompt,
)
from journal.rollups import mood_day_add, mood_day_statement, mood_day_written
from journal.text import normalise_tags
from kaya.db import insert_with, writes_in_one_statement
from kaya.events import publish
from kaya.idempotency import create_once
from kaya.rollups import user_reads_changed
from kaya.timeutils import local_date

if TYPE_CHECKING:
    from accounts.models import User

# How far back an entry may be dated, and how far ahead of the server clock a
# client clock may run (such instants are clamped to now: never in the future).
BACKDATE_LIMIT = timedelta(days=7)
CLOCK_SKEW_TOLERANCE = timedelta(minutes=1)


def moment_error(value: datetime, *, now: datetime | None = None) -> str | None:
    """Why ``value`` cannot date an entry, or None when it can."""
    now = now or timezone.now()
    if timezone.is_naive(value):
        return "A time zone offset is required."
    if value > now + CLOCK_SKEW_TOLERANCE:
        return "Cannot be in the future."
    if value < now - BACKDATE_LIMIT:
        return "Cannot be more than 7 days in the past."
    return None


def entry_moment(value: datetime | None, *, field: str) -> datetime:
    """The instant an entry happened: now by default; never in the future (a
    client clock slightly ahead is clamped to now) and at most BACKDATE_LIMIT ago."""
    now = timezone.now()
    if value is None:
        return now
    if error := moment_error(value, now=now):
        raise EntryMomentError(field, error)
    return min(value, now)


def _set_journal_tags(entry: JournalEntry, tags: Sequence[str]) -> None:
    JournalTag.objects.filter(entry=entry).delete()
    JournalTag.objects.bulk_create(
        JournalTag(entry=entry, user_id=entry.user_id, name=name) for name in tags
    )


@transaction.atomic
def journal_entry_create(
    *,
    user: User,
    body: str,
    title: str = "",
    tags: Sequence[str] = (),
    prompt: Prompt | None = None,
    mood_entry: MoodEntry | None = None,
    occurred_at: datetime | None = None,
    client_id: uuid.UUID | None = None,
) -> tuple[JournalEntry, bool]:
    """Write a journal entry (title and body encrypted at rest) with its tags.
    Idempotent per ``client_id``: a retry returns the entry created first and
    ``created=False``.

    Side effects (after commit): ``journal.events.entry_created``.
    """

    def create() -> JournalEntry:
        if mood_entry is not None and mood_entry.user_id != user.pk:
            raise UnknownMoodEntryError()
        moment = entry_moment(occurred_at, field="occurred_at")
        entry = JournalEntry.objects.create(
            user=user,
            title=title,
            body=body,
            body_length=len(body),
            prompt=prompt,
            mood_entry=mood_entry,
            client_id=client_id,
            occurred_at=moment,
            local_date=local_date(moment, user.timezone),
        )
        _set_journal_tags(entry, normalise_tags(list(tags)))
        user_reads_changed(user.pk)  # the journal count in /users/me/stats
        publish(
            events.entry_created,
            sender=JournalEntry,
            user_id=user.pk,
            entry_id=entry.pk,
            local_date=entry.local_date,
        )
        return entry

    return create_once(
        model=JournalEntry, user=user, client_id=client_id, create=create
    )


class _Unset(Enum):
    """A field the caller did not give (``None`` is a value: it unlinks)."""

    UNSET = auto()


_UNSET = _Unset.UNSET


@transaction.atomic
def journal_entry_update(
    *,
    entry: JournalEntry,
    title: str | _Unset = _UNSET,
    body: str | _Unset = _UNSET,
    tags: Sequence[str] | _Unset = _UNSET,
    prompt: Prompt | _Unset | None = _UNSET,
    mood_entry: MoodEntry | _Unset | None = _UNSET,
) -> JournalEntry:
    """Change the given fields of an entry; tags, when given, replace the old ones.

    Its date stays the one computed when it was written. No side effects.
    """
    changed: list[str] = []
    if title is not _UNSET:
        entry.title = title
        changed.append("title")
    if body is not _UNSET:
        entry.body = body
        entry.body_length = len(body)
        changed += ["body", "body_length"]
    if prompt is not _UNSET:
        entry.prompt = prompt
        changed.append("prompt")
    if mood_entry is not _UNSET:
        if mood_entry is not None and mood_entry.user_id != entry.user_id:
            raise UnknownMoodEntryError()
        entry.mood_entry = mood_entry
        changed.append("mood_entry")
    if tags is not _UNSET:
        # Two devices saving the same entry at once would both delete and insert
        # tags and collide on (entry, name); the row lock makes them queue.
        list(
            JournalEntry.objects.select_for_update()
            .filter(pk=entry.pk)
            .values_list("pk", flat=True)
        )
        _set_journal_tags(entry, normalise_tags(list(tags)))
    # auto_now only reaches the database when listed in update_fields.
    entry.save(update_fields=[*changed, "updated_at"])
    return entry


@transaction.atomic
def journal_entry_delete(*, entry: JournalEntry) -> None:
    """Delete an entry: its text, tags and links go at once; a content-free
    tombstone (id, client_id, dates, ``deleted_at``) stays so that a delta sync
    (``?updated_since=``) tells offline devices. No side effects."""
    JournalTag.objects.filter(entry=entry).delete()
    entry.title = ""
    entry.body = ""
    entry.body_length = 0
    entry.prompt = None
    entry.mood_entry = None
    entry.deleted_at = timezone.now()
    entry.save(
        update_fields=[
            "title",
            "body",
            "body_length",
            "prompt",
            "mood_entry",
            "deleted_at",
            "updated_at",
        ]
    )
    user_reads_changed(entry.user_id)  # the journal count in /users/me/stats


@transaction.atomic
def gratitude_entry_create(
    *,
    user: User,
    items: Sequence[str],
    occurred_at: datetime | None = None,
    client_id: uuid.UUID | None = None,
) -> tuple[GratitudeEntry, bool]:
    """Write a gratitude entry of one to three items (encrypted at rest).
    Idempotent per ``client_id`` (a retry returns the first entry, ``False``).

    Side effects (after commit): ``journal.events.gratitude_created``.
    """
    items = list(items)
    if not 1 <= len(items) <= 3:
        raise GratitudeItemCountError()

    def create() -> GratitudeEntry:
        moment = entry_moment(occurred_at, field="occurred_at")
        entry = GratitudeEntry.objects.create(
            user=user,
            items=items,
            item_count=len(items),
            client_id=client_id,
            occurred_at=moment,
            local_date=local_date(moment, user.timezone),
        )
        user_reads_changed(user.pk)  # the gratitude count in /users/me/stats
        publish(
            events.gratitude_created,
            sender=GratitudeEntry,
            user_id=user.pk,
            gratitude_id=entry.pk,
            local_date=entry.local_date,
        )
        return entry

    return create_once(
        model=GratitudeEntry, user=user, client_id=client_id, create=create
    )


@dataclass(frozen=True)
class MoodLogged:
    """A logged mood (its tag values set, or its tags prefetched), whether this
    call created it, and the crisis support block to show with it (None unless
    the mood calls for it)."""

    entry: MoodEntry
    created: bool
    support: dict[str, Any] | None


def _unique(values: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(values))


def mood_entry_create(
    *,
    user: User,
    mood: str,
    intensity: int,
    emotions: Sequence[str] = (),
    factors: Sequence[str] = (),
    note: str = "",
    logged_at: datetime | None = None,
    client_id: uuid.UUID | None = None,
) -> MoodLogged:
    """Log a mood (the note encrypted at rest) with one tag row per emotion and
    factor, each carrying the entry's local date. Idempotent per ``client_id``
    (a retry returns the first entry and ``created=False``). A very low mood of
    high intensity comes back with crisis resources (``support``).

    Side effects (after commit): ``journal.events.mood_logged``.
    """
    if mood not in MoodEntry.SCORES:
        raise MoodValueError("mood", "Unknown mood.")
    if not 1 <= intensity <= 10:
        raise MoodValueError("intensity", "Must be between 1 and 10.")
    emotions, factors = _unique(emotions), _unique(factors)
    if unknown := [e for e in emotions if e not in EMOTIONS]:
        raise MoodValueError("emotions", f"Unknown emotion: {unknown[0]}.")
    if unknown := [f for f in factors if f not in FACTORS]:
        raise MoodValueError("factors", f"Unknown factor: {unknown[0]}.")

    def create() -> MoodEntry:
        moment = entry_moment(logged_at, field="logged_at")
        day = local_date(moment, user.timezone)
        entry = MoodEntry(
            user=user,
            mood=mood,
            score=MoodEntry.SCORES[mood],
            intensity=intensity,
            note=note,
            client_id=client_id,
            logged_at=moment,
            local_date=day,
        )
        tags = [
            MoodTag(entry=entry, user=user, kind=kind, value=value, local_date=day)
            for kind, values in (
                (MoodTag.Kind.EMOTION, emotions),
                (MoodTag.Kind.FACTOR, factors),
            )
            for value in values
        ]
        # The day's rollup is written with the entry; that also marks the
        # user's cached reads changed (the mood count in /users/me/stats
        # among them).
        if writes_in_one_statement():
            # The entry, its tags and its day's rollup in one statement: one
            # round trip, all or nothing without a transaction of its own.
            insert_with(
                entry,
                children=tags,
                parent="entry",
                then=[
                    mood_day_statement(entry=entry, emotions=emotions, factors=factors)
                ],
            )
            mood_day_written(entry)
        else:
            with transaction.atomic():
                entry.save(force_insert=True)
                MoodTag.objects.bulk_create(tags)
                mood_day_add(entry=entry, emotions=emotions, factors=factors)
        publish(
            events.mood_logged,
            sender=MoodEntry,
            user_id=user.pk,
            mood_entry_id=entry.pk,
            local_date=day,
            mood=entry.mood,
            score=entry.score,
            intensity=entry.intensity,
        )
        return entry

    entry, created = create_once(
        model=MoodEntry, user=user, client_id=client_id, create=create
    )
    if created:
        # The tags just written, each kind's in id order (bulk_create inserted
        # them in this order): what the selectors' annotations of the same
        # names read, without reading the rows back.
        entry.emotion_values = emotions  # type: ignore[attr-defined]
        entry.factor_values = factors  # type: ignore[attr-defined]
    else:
        prefetch_related_objects(
            [entry], Prefetch("tags", queryset=MoodTag.objects.order_by("id"))
        )
    return MoodLogged(
        entry=entry,
        created=created,
        support=selectors.mood_support(user=user, entry=entry),
    )
