"""The dashboard's three lists in one statement: the latest moods, the active
enrollments with their programs and the next event the user holds a seat at.

Each list is the read its ORM selector makes (the same rows, filters, order and
limit: ``MoodEntry.objects.for_user``, ``enrollment_list(...).active()``,
``event_next_for_user``); here they are the parts of one ``UNION ALL``, each part
in its own columns (NULL in the other parts' rows), so the page pays one round
trip and no ORM compilation for the three. ``tests/test_dashboard_lists.py``
holds it to those selectors.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any, cast

from django.db import connection
from django.db.models import Field, Model

from journal.models import MoodEntry
from kaya.db import planned_once_cursor
from wellness.models import (
    EventRegistration,
    ProgramEnrollment,
    WellnessEvent,
    WellnessProgram,
)

if TYPE_CHECKING:
    from accounts.models import User

LATEST_MOODS = 5
ACTIVE_ENROLLMENTS = 5
MOOD_FIELDS = ("id", "mood", "score", "intensity", "logged_at", "local_date")

MOODS, ENROLLMENTS, EVENT = 1, 2, 3

# (part, table alias, model, the fields read), in column order. Enrollments,
# programs and events are read whole (every concrete field), as the ORM reads
# them, so the instances built from them defer nothing.
_COLUMNS: tuple[tuple[int, str, type[Model], tuple[str, ...]], ...] = (
    (MOODS, "m", MoodEntry, MOOD_FIELDS),
    (ENROLLMENTS, "e", ProgramEnrollment, ()),
    (ENROLLMENTS, "p", WellnessProgram, ()),
    (EVENT, "ev", WellnessEvent, ()),
    (EVENT, "r", EventRegistration, ("id", "status")),
)

# Each part's FROM, WHERE, ORDER BY and LIMIT: the ORM selector's, in SQL.
_PARTS = {
    MOODS: (
        "FROM {moodentry} m WHERE m.user_id = %s "
        "ORDER BY m.logged_at DESC, m.id DESC LIMIT {moods}"
    ),
    ENROLLMENTS: (
        "FROM {programenrollment} e "
        "INNER JOIN {wellnessprogram} p ON p.id = e.program_id "
        "WHERE e.user_id = %s AND e.completed_at IS NULL "
        "ORDER BY e.enrolled_at DESC, e.id DESC LIMIT {enrollments}"
    ),
    EVENT: (
        "FROM {wellnessevent} ev "
        "INNER JOIN {eventregistration} r ON r.event_id = ev.id "
        "WHERE ev.is_published = %s AND ev.ends_at > %s "
        "AND r.user_id = %s AND r.status = %s "
        "ORDER BY ev.starts_at, ev.id LIMIT 1"
    ),
}


@dataclass(frozen=True)
class _Statement:
    sql: str
    # Per part: the slice of the row its columns take.
    spans: dict[int, slice]
    # (column position, the converters the ORM applies, the column).
    converters: tuple[tuple[int, tuple[Any, ...], Any], ...]


def _fields(model: type[Model], names: tuple[str, ...]) -> list[Field[Any, Any]]:
    if names:
        return [model._meta.get_field(name) for name in names]  # type: ignore[misc]
    return list(model._meta.concrete_fields)


@cache
def _statement(vendor: str) -> _Statement:
    """The statement for this database vendor, built once per process (column
    types and quoting are the vendor's)."""
    columns = [
        (part, alias, field)
        for part, alias, model, names in _COLUMNS
        for field in _fields(model, names)
    ]
    quote = connection.ops.quote_name
    tables = {
        str(model._meta.model_name): quote(model._meta.db_table)
        for _, _, model, _ in _COLUMNS
    }
    selects = []
    for part in (MOODS, ENROLLMENTS, EVENT):
        # A NULL is cast to its column's type: PostgreSQL reads an untyped
        # NULL of a subquery as text, which no other part's column matches.
        # No column aliases: the rows are read by position, and without them
        # the statement stays within the length psycopg caches its parsing for
        # (4,096 bytes; a longer one is parsed again on every execution).
        items = [f"{part} AS part"] + [
            f"{alias}.{quote(cast(str, field.column))}"
            if owner == part
            else f"CAST(NULL AS {field.db_type(connection)})"
            for owner, alias, field in columns
        ]
        body = _PARTS[part].format(
            **tables, moods=LATEST_MOODS, enrollments=ACTIVE_ENROLLMENTS
        )
        selects.append(f"SELECT * FROM (SELECT {', '.join(items)} {body}) AS p{part}")  # noqa: S608

    # The parts in order, each in its selector's order (the other parts'
    # columns are NULL in a part's rows, so they never reorder it).
    def position(alias: str, name: str) -> int:
        return 1 + next(
            i
            for i, (_, owner, field) in enumerate(columns, start=1)
            if owner == alias and field.name == name
        )

    order = ", ".join(
        f"{position(alias, name)} DESC"
        for alias, name in (
            ("m", "logged_at"),
            ("m", "id"),
            ("e", "enrolled_at"),
            ("e", "id"),
        )
    )
    sql = " UNION ALL ".join(selects) + f" ORDER BY 1, {order}"
    spans: dict[int, slice] = {}
    converters = []
    for i, (part, alias, field) in enumerate(columns, start=1):
        span = spans.get(part)
        spans[part] = slice(span.start if span else i, i + 1)
        col = field.get_col(alias)
        found = connection.ops.get_db_converters(col) + col.get_db_converters(
            connection
        )
        if found:
            converters.append((i, tuple(found), col))
    return _Statement(sql=sql, spans=spans, converters=tuple(converters))


def _instance(model: type[Model], values: list[Any]) -> Any:
    names = [field.attname for field in model._meta.concrete_fields]
    return model.from_db(connection.alias, names, values)


def dashboard_lists(*, user: User, now: datetime) -> dict[str, Any]:
    """``latest_moods`` (dicts of ``MOOD_FIELDS``, newest first: never the
    note), ``active_enrollments`` (with their programs, newest first) and
    ``next_event`` (the soonest published event not over at ``now`` that the
    user holds a seat at, with ``registration_id`` and ``registration_status``;
    or None). One query."""
    statement = _statement(connection.vendor)
    ends_at = WellnessEvent._meta.get_field("ends_at")
    params = [
        user.pk,
        user.pk,
        True,
        ends_at.get_db_prep_value(now, connection),
        user.pk,
        EventRegistration.Status.REGISTERED.value,
    ]
    with planned_once_cursor() as cursor:
        cursor.execute(statement.sql, params)
        rows = cursor.fetchall()
    moods, enrollments, event = [], [], None
    spans = statement.spans
    program_width = len(WellnessProgram._meta.concrete_fields)
    for raw in rows:
        row = list(raw)
        for pos, converters, col in statement.converters:
            value = row[pos]
            for converter in converters:
                value = converter(value, col, connection)
            row[pos] = value
        part = row[0]
        if part == MOODS:
            moods.append(dict(zip(MOOD_FIELDS, row[spans[MOODS]], strict=True)))
        elif part == ENROLLMENTS:
            values = row[spans[ENROLLMENTS]]
            enrollment = _instance(ProgramEnrollment, values[:-program_width])
            enrollment.program = _instance(WellnessProgram, values[-program_width:])
            enrollments.append(enrollment)
        else:
            *values, registration_id, registration_status = row[spans[EVENT]]
            event = _instance(WellnessEvent, values)
            event.registration_id = registration_id
            event.registration_status = registration_status
    return {
        "latest_moods": moods,
        "active_enrollments": enrollments,
        "next_event": event,
    }
