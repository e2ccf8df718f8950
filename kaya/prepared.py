"""Hot list pages: a selector's SQL built once per process, run with new values,
its rows read as tuples with attribute access rather than model instances.

A list page spends most of its CPU in Python, not in the database: building the
queryset, compiling it to SQL (about 1 ms per query), building a model instance
per row and reading it back. ``PreparedQuery`` wraps a selector (a function of
keyword values returning a queryset) and does that work once per *shape*, the
set of values given and whether each is empty::

    session_rows = PreparedQuery(session_list, fields=("id", "title", ...))

    rows = session_rows(user=request.user, type="yoga")  # nothing runs yet
    page, total = rows.page(offset=0, limit=20)  # one statement
    rows.all()  # every row, no count
    rows.slice(offset=0, limit=21)  # a window, no count (a cursor page)
    rows.queryset()  # the selector's own queryset, for Django's paths

A page's total is the rows counted by a subquery of its statement, unless the
query has a ``total``: a function of the same values, under the same rules
(it may branch on whether a value is given), answering an expression for the
total that a stored count keeps (``Coalesce(Subquery(...), 0)``, one row read)
or ``None`` to count the rows. A stored total must count exactly the rows the
selector selects for that shape.

The first call of a shape calls the selector twice with stand-in values (two
sets, under two time zones), compiles both and compares them: the positions
where the stand-ins landed become the slots later calls fill with their own
values (prepared as Django prepares a lookup's value); every other parameter
must be the same in both builds, so a value the selector computed from a given
one, the clock or the time zone is refused (``ImproperlyConfigured``) rather
than cached. Later calls of the shape skip the selector and the compiler: they
fill the slots, run the SQL and apply the same converters Django applies
(decryption of encrypted fields included, once per value). On PostgreSQL the
SQL runs in ``kaya.db.planned_once_cursor``: prepared on the server the first
time it runs on a connection and planned once, generically, so it is not parsed
and planned per request either (CONTRIBUTING says how to check a statement's
generic plan).

What the selector may do with the values: filter on them (each value is
compared as the lookup's field prepares it), and branch on whether one is
given: ``None``, ``""``, ``0``, ``False`` and ``True`` are passed as they are
and are part of the shape. It must not branch on a value itself (``if type ==
"yoga"``): the stand-ins would take the other branch. A model instance (the
user) stands in as its primary key: the selector may filter by it and read its
``pk``, nothing else. Values may be model instances, dates, aware datetimes,
text and integers (compared with 32- or 64-bit integer columns only).

Rows are named tuples with the ``fields`` as attributes (``pk`` too, when the
model's primary key is among them). ``"prompt__id"``, ``"prompt__text"`` give
``row.prompt``: a named tuple of the related row, or ``None`` when its primary
key is (list it). An output serializer's ``to_representation`` reads a row as
it reads a model instance, so one method serves both.
"""

from __future__ import annotations

import zoneinfo
from collections import namedtuple
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache
from operator import itemgetter
from typing import Any
from weakref import WeakKeyDictionary, WeakSet

from django.core.exceptions import EmptyResultSet, ImproperlyConfigured
from django.core.signals import setting_changed
from django.db import connections, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import QuerySet
from django.dispatch import receiver
from django.utils import timezone

from kaya.db import planned_once_cursor
from kaya.expressions import RowCount

# The column carrying a page's total on each of its rows.
_TOTAL = "_prepared_total"
# Each stand-in value is built under one of these zones, so SQL that depends on
# the current time zone differs between the two builds and is refused.
_ZONES = (UTC, zoneinfo.ZoneInfo("Pacific/Chatham"))
_DATE_FIELD = models.DateField()
_INSTANT_FIELD = models.DateTimeField()
_TEXT_FIELD = models.CharField()


class _Key(int):
    """A model instance's stand-in: its primary key, and nothing else."""

    @property
    def pk(self) -> int:
        return int(self)

    def __getattr__(self, name: str) -> Any:
        raise AttributeError(
            f"A prepared query's selector read {name!r} of a model instance it "
            "was given: it may only filter by the instance or read its pk."
        )


@dataclass(frozen=True)
class _Kind:
    """What a value is: how to make its stand-ins and prepare it for the SQL."""

    name: str
    stand_in: Callable[[int, int], Any]  # (build, position) -> value
    prepare: Callable[[Any, BaseDatabaseWrapper], Any]


def _prepare_key(model: type[models.Model]) -> Callable[..., Any]:
    pk = model._meta.pk
    assert pk is not None

    def prepare(value: Any, connection: BaseDatabaseWrapper) -> Any:
        return pk.get_db_prep_value(value.pk, connection, prepared=False)

    return prepare


@cache
def _key_kind(model: type[models.Model]) -> _Kind:
    return _Kind(
        f"key of {model._meta.label}",
        lambda build, n: _Key(-(10**15) - 1_000 * build - n),
        _prepare_key(model),
    )


_DATE = _Kind(
    "date",
    lambda build, n: (date(1903, 5, 17), date(1961, 11, 29))[build] + timedelta(n),
    lambda value, connection: _DATE_FIELD.get_db_prep_value(value, connection),
)
_INSTANT = _Kind(
    "instant",
    lambda build, n: (
        (
            datetime(1903, 5, 17, 13, 21, 34, 123457, tzinfo=UTC),
            datetime(1961, 11, 29, 7, 43, 2, 654321, tzinfo=UTC),
        )[build]
        + timedelta(seconds=n)
    ),
    lambda value, connection: _INSTANT_FIELD.get_db_prep_value(value, connection),
)
_TEXT = _Kind(
    "text",
    lambda build, n: f" Prepared-Stand-In {'AB'[build]}{n} ",
    lambda value, connection: _TEXT_FIELD.get_db_prep_value(value, connection),
)
# Within a (positive) 32-bit column's range: Django compiles a lookup with a
# value outside its column's range to no condition or to no rows at all, so an
# integer must not be compared with a small-integer column.
_INTEGER = _Kind(
    "integer",
    lambda build, n: 2_000_000_000 + 1_000_000 + 1_000 * build + n,
    lambda value, connection: int(value),
)


def _kind(name: str, value: Any) -> _Kind | None:
    """The kind of a value filled into the SQL; ``None`` for one that is part
    of the shape (passed to the selector as it is)."""
    if value is None or isinstance(value, bool) or value in ("", 0):
        return None
    if isinstance(value, models.Model):
        return _key_kind(type(value))
    if isinstance(value, datetime):
        return _INSTANT
    if isinstance(value, date):
        return _DATE
    if isinstance(value, str):
        return _TEXT
    if isinstance(value, int):
        return _INTEGER
    raise TypeError(
        f"A prepared query takes model instances, dates, datetimes, text and "
        f"integers; {name!r} is a {type(value).__name__}."
    )


# --- rows ---------------------------------------------------------------------


def _tuple_class(name: str, fields: Sequence[str], pk: str) -> type[tuple[Any, ...]]:
    cls: type[tuple[Any, ...]] = namedtuple(name, fields)  # type: ignore[misc]
    if pk in fields and "pk" not in fields:
        cls.pk = property(itemgetter(fields.index(pk)))  # type: ignore[attr-defined]
    return cls


def _row_builder(
    model: type[models.Model], fields: Sequence[str]
) -> Callable[[Sequence[Any]], tuple[Any, ...]]:
    """Turns a row's values (in ``fields`` order) into a named tuple."""
    new = tuple.__new__
    pk = model._meta.pk.attname  # type: ignore[union-attr]
    if not any("__" in name for name in fields):
        flat = _tuple_class(f"{model.__name__}Row", fields, pk)
        return lambda values: new(flat, values)

    names: list[str] = []
    # Per attribute: a column's position, or a related row (positions, the
    # position of its primary key, its class).
    layout: list[Any] = []
    related: dict[str, list[tuple[str, int]]] = {}
    for position, name in enumerate(fields):
        relation, _, column = name.partition("__")
        if not column:
            names.append(name)
            layout.append(position)
            continue
        if "__" in column:
            raise ImproperlyConfigured(f"{name!r}: one level of relation only.")
        if relation not in related:
            related[relation] = []
            names.append(relation)
            layout.append(relation)
        related[relation].append((column, position))
    for index, item in enumerate(layout):
        if isinstance(item, int):
            continue
        target = model._meta.get_field(item).related_model
        target_pk = target._meta.pk.attname  # type: ignore[union-attr]
        columns = [column for column, _ in related[item]]
        positions = [position for _, position in related[item]]
        key = [p for c, p in related[item] if c in (target_pk, "pk")]
        if not key:
            raise ImproperlyConfigured(
                f"List {item}__{target_pk} among the fields: it tells a missing "
                f"{item} (None) from a present one."
            )
        cls = _tuple_class(f"{model.__name__}{item.title()}Row", columns, target_pk)
        layout[index] = (positions, key[0], cls)
    row = _tuple_class(f"{model.__name__}Row", names, pk)
    # One expression per attribute, compiled once (as namedtuple compiles its
    # own __new__): a page builds every row with no per-column loop. Only
    # positions (integers) and the names bound below enter the source.
    namespace: dict[str, Any] = {"new": new, "row": row}
    parts = []
    for index, item in enumerate(layout):
        if isinstance(item, int):
            parts.append(f"v[{item}]")
            continue
        positions, key, cls = item
        namespace[f"related{index}"] = cls
        related_values = "".join(f"v[{position}], " for position in positions)
        parts.append(
            f"None if v[{key}] is None else new(related{index}, ({related_values}))"
        )
    source = f"lambda v: new(row, ({', '.join(parts)},))"
    build: Callable[[Sequence[Any]], tuple[Any, ...]] = eval(source, namespace)  # noqa: S307
    return build


# --- plans --------------------------------------------------------------------


@dataclass
class _Plan:
    """One shape's statement: the SQL, its parameters with the slots to fill,
    how to read its rows."""

    alias: str
    sql: str
    constants: list[Any]
    # (position in the parameters, value name, kind, the parameter's integer
    # type: the backend's own (psycopg's Int4, Int8) as the lookup made it)
    slots: list[tuple[int, str, _Kind, type[int] | None]]
    query: Any
    expressions: list[Any]
    build_row: Callable[[Sequence[Any]], tuple[Any, ...]]
    converters: WeakKeyDictionary[BaseDatabaseWrapper, list[Any]] = field(
        default_factory=WeakKeyDictionary
    )

    def converters_for(self, connection: BaseDatabaseWrapper) -> list[Any]:
        found = self.converters.get(connection)
        if found is None:
            compiler = self.query.get_compiler(connection=connection)
            found = list(compiler.get_converters(self.expressions).items())
            self.converters[connection] = found
        return found

    def run(
        self, values: dict[str, Any], tail: Sequence[Any] = (), *, sql: str = ""
    ) -> list[list[Any]]:
        connection = connections[self.alias]
        params = list(self.constants)
        prepared: dict[str, Any] = {}
        for position, name, kind, integer in self.slots:
            if name not in prepared:
                prepared[name] = kind.prepare(values[name], connection)
            params[position] = (
                prepared[name] if integer is None else integer(prepared[name])
            )
        params.extend(tail)
        with planned_once_cursor(self.alias) as cursor:
            cursor.execute(sql or self.sql, params)
            raw = cursor.fetchall()
        converters = self.converters_for(connection)
        rows = []
        for values_row in raw:
            row = list(values_row)
            for position, (functions, expression) in converters:
                value = row[position]
                for function in functions:
                    value = function(value, expression, connection)
                row[position] = value
            rows.append(row)
        return rows


def _check(select: Callable[..., Any], rows: Any, counted: bool) -> QuerySet[Any]:
    name = getattr(select, "__qualname__", repr(select))
    if not isinstance(rows, QuerySet):
        raise ImproperlyConfigured(f"{name} must return a queryset.")
    if rows._prefetch_related_lookups or rows.query.select_for_update:  # type: ignore[attr-defined]
        raise ImproperlyConfigured(
            f"{name}: a prepared query reads one statement (no prefetch_related, "
            "no select_for_update)."
        )
    if counted and not (RowCount.counts(rows) and rows.ordered):
        raise ImproperlyConfigured(
            f"{name}: a page needs an ordered queryset of model instances, not "
            "sliced, combined, grouped or distinct."
        )
    return rows


class PreparedQuery:
    """A selector whose SQL is built once per shape (see the module's notes)."""

    def __init__(
        self,
        select: Callable[..., QuerySet[Any]],
        *,
        fields: Sequence[str],
        total: Callable[..., Any] | None = None,
    ) -> None:
        self.select = select
        self.fields = tuple(fields)
        self.total = total
        self._plans: dict[Hashable, _Plan | None] = {}
        _QUERIES.add(self)

    def __call__(self, **values: Any) -> PreparedRows:
        return PreparedRows(self, values)

    def clear(self) -> None:
        self._plans.clear()

    def plan(self, values: dict[str, Any], *, counted: bool) -> _Plan | None:
        """The statement for the shape of ``values``; ``None`` when the selector
        answers no rows whatever the values (Django's ``EmptyResultSet``)."""
        kinds = {name: _kind(name, value) for name, value in values.items()}
        shape = (
            counted,
            tuple(
                sorted(
                    (name, kind.name if kind else (type(value), value))
                    for (name, value), kind in zip(
                        values.items(), kinds.values(), strict=True
                    )
                )
            ),
        )
        try:
            return self._plans[shape]
        except KeyError:
            pass
        plan = self._compile(values, kinds, counted)
        self._plans[shape] = plan
        return plan

    def _compile(
        self, values: dict[str, Any], kinds: dict[str, _Kind | None], counted: bool
    ) -> _Plan | None:
        builds = []
        for build, zone in enumerate(_ZONES):
            stand_ins = {
                name: kind.stand_in(build, n) if kind else values[name]
                for n, (name, kind) in enumerate(kinds.items())
            }
            with timezone.override(zone):
                rows = _check(self.select, self.select(**stand_ins), counted)
                columns = list(self.fields)
                if counted:
                    stored = self.total(**stand_ins) if self.total else None
                    count = RowCount.of(rows) if stored is None else stored
                    rows = rows.annotate(**{_TOTAL: count})
                    columns.append(_TOTAL)
                listed = rows.values_list(*columns)
                compiler = listed.query.get_compiler(using=listed.db)
                try:
                    sql, params = compiler.as_sql()
                except EmptyResultSet:
                    return None
                connection = connections[listed.db]
                prepared = {
                    name: kind.prepare(stand_ins[name], connection)
                    for name, kind in kinds.items()
                    if kind
                }
            builds.append((sql, list(params), prepared, listed, compiler))

        (
            (sql, params, prepared, listed, compiler),
            (other_sql, other, other_prep, *_),
        ) = builds
        name = getattr(self.select, "__qualname__", repr(self.select))
        if sql != other_sql or len(params) != len(other):
            raise ImproperlyConfigured(
                f"{name} writes a value into its SQL text (or branches on one): "
                "it cannot be prepared."
            )
        slots = []
        for position, (first, second) in enumerate(zip(params, other, strict=True)):
            found = _stand_in(first, prepared)
            kind = kinds.get(found) if found is not None else None
            if found is not None and kind and found == _stand_in(second, other_prep):
                integer = type(first) if kind is _INTEGER else None
                slots.append((position, found, kind, integer))
            elif found is not None or not _same(first, second):
                raise ImproperlyConfigured(
                    f"{name}: parameter {position} of its SQL is computed from a "
                    "value, the clock or the time zone: it cannot be prepared."
                )
        # A value the SQL does not hold would be ignored by every later call
        # (a lookup out of its column's range compiles to no condition).
        unused = sorted({n for n, k in kinds.items() if k} - {s[1] for s in slots})
        if unused:
            raise ImproperlyConfigured(
                f"{name}: the values {unused} are not parameters of its SQL: "
                "it cannot be prepared."
            )
        return _Plan(
            alias=listed.db,
            sql=sql + " LIMIT %s OFFSET %s" if counted else sql,
            constants=params,
            slots=slots,
            query=listed.query,
            expressions=[s[0] for s in compiler.select[: compiler.col_count]],
            build_row=_row_builder(listed.model, self.fields),
        )


def _same(first: Any, second: Any) -> bool:
    if type(first) is type(second):
        return bool(first == second)
    # An integer as the lookup's field prepared it (a backend's Int4, Int8).
    return (
        isinstance(first, int)
        and isinstance(second, int)
        and not isinstance(first, bool)
        and not isinstance(second, bool)
        and int(first) == int(second)
    )


def _stand_in(param: Any, prepared: dict[str, Any]) -> str | None:
    for name, value in prepared.items():
        if _same(param, value):
            return name
    return None


class PreparedRows:
    """A prepared query with its values: read it with ``page``, ``all`` or as
    the selector's ``queryset``."""

    __slots__ = ("query", "values")

    def __init__(self, query: PreparedQuery, values: dict[str, Any]) -> None:
        self.query = query
        self.values = values

    def queryset(self) -> QuerySet[Any]:
        """The selector's queryset for these values (model instances)."""
        return self.query.select(**self.values)

    def count(self) -> int:
        """How many rows there are (a query of its own, through the selector's
        queryset; Django's paginator asks it for ``?page=last``)."""
        return self.queryset().count()

    def all(self) -> list[tuple[Any, ...]]:
        plan = self.query.plan(self.values, counted=False)
        if plan is None:
            return []
        build = plan.build_row
        return [build(row) for row in plan.run(self.values)]

    def slice(self, *, offset: int, limit: int) -> list[tuple[Any, ...]]:
        """The rows ``offset`` to ``offset + limit``, with no total (a cursor
        page)."""
        plan = self.query.plan(self.values, counted=False)
        if plan is None:
            return []
        build = plan.build_row
        rows = plan.run(
            self.values, (limit, offset), sql=plan.sql + " LIMIT %s OFFSET %s"
        )
        return [build(row) for row in rows]

    def page(
        self, *, offset: int, limit: int
    ) -> tuple[list[tuple[Any, ...]], int | None]:
        """The rows ``offset`` to ``offset + limit`` and the total, in one
        statement; the total is ``None`` when the page is empty (an empty page
        tells no total)."""
        plan = self.query.plan(self.values, counted=True)
        if plan is None:
            return [], None
        rows = plan.run(self.values, (limit, offset))
        if not rows:
            return [], None
        total = rows[0][-1]
        build = plan.build_row
        return [build(row[:-1]) for row in rows], total


_QUERIES: WeakSet[PreparedQuery] = WeakSet()


@receiver(setting_changed)
def _settings_changed(*, setting: str, **kwargs: Any) -> None:
    if setting in ("DATABASES", "USE_TZ", "TIME_ZONE"):
        for query in list(_QUERIES):
            query.clear()
