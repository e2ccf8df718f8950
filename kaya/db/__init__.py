"""Database helpers every app may use (the PostgreSQL backend lives in
``kaya.db.postgresql``)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import ForeignKey, Model

_NEVER_ON_ITS_OWN = 2**62


@contextmanager
def planned_once_cursor(using: str = DEFAULT_DB_ALIAS) -> Iterator[Any]:
    """A cursor for a hot statement whose planning costs PostgreSQL more than
    running it (a dashboard's one statement over several tables).

    Django's PostgreSQL cursors bind parameters on the client (and Django turns
    psycopg's automatic preparing off, for connection poolers), so the server
    parses and plans the statement anew on every request. This one binds them
    on the server and prepares each statement on the connection the first time
    it runs (psycopg keeps it, by its text, until the connection closes), and
    PostgreSQL plans it once, generically, for every user and every run (the
    connection's ``plan_cache_mode=force_generic_plan``, kaya/settings.py:
    left to choose, it re-plans a statement whose LIMIT is a parameter on every
    run). So a statement run here must have a good generic plan (CONTRIBUTING
    says how to check it). It goes through Django's cursor
    wrapper (execute wrappers, query logging, error translation). Not for a
    pooler in transaction mode. Elsewhere (SQLite) it is Django's own cursor.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            yield cursor
        return
    from django.db.backends.postgresql.base import TIMESTAMPTZ_OID
    from django.db.backends.postgresql.psycopg_any import register_tzloader
    from psycopg.pq import Format

    # As Django's own cursor() does: the per-request health check first (this
    # may be a request's first statement: the token's user), so a connection
    # the server ended is never used.
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    database = connection.connection
    if database.prepare_threshold is None:
        # Django's None turns preparing off altogether; a threshold no
        # statement reaches keeps psycopg from preparing on its own while this
        # cursor's ``prepare=True`` is honoured (Django's client-side cursors
        # never prepare).
        database.prepare_threshold = _NEVER_ON_ITS_OWN
    with connection.wrap_database_errors:
        raw = _preparing_cursor_class()(database)
        # Django's create_cursor(): the connection's zone for timestamptz.
        loader = database.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)
        if connection.timezone != loader.timezone:
            register_tzloader(connection.timezone, raw)
    # Django's own wrapping of a new cursor (debug or plain CursorWrapper).
    wrap: Any = connection._prepare_cursor  # type: ignore[attr-defined]
    with wrap(raw) as cursor:
        yield cursor


@cache
def _preparing_cursor_class() -> type:
    import psycopg

    class PreparingCursor(psycopg.Cursor):  # type: ignore[type-arg]
        def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
            kwargs.setdefault("prepare", True)
            return super().execute(query, params, **kwargs)

        def _convert_query(self, query: Any, params: Any = None) -> Any:
            converted = super()._convert_query(query, params)
            # Django's query log and CaptureQueriesContext read the statement
            # from here (last_executed_query); psycopg leaves it unset on this
            # path, so they recorded None. Its text has $1-style placeholders
            # (the values are logged beside it).
            self._query = converted
            return converted

    return PreparingCursor


def writes_in_one_statement(using: str = DEFAULT_DB_ALIAS) -> bool:
    """Whether ``insert_with`` can run on this database (PostgreSQL: its
    statements can write in their ``WITH`` clause; SQLite's cannot)."""
    return bool(connections[using].vendor == "postgresql")


# A data-modifying statement (INSERT, UPDATE, DELETE, an upsert) and its
# parameters, with %s placeholders.
Statement = tuple[str, Sequence[Any]]


def insert_with(
    instance: Model,
    *,
    children: Sequence[Model] = (),
    parent: str = "",
    then: Sequence[Statement] = (),
    using: str = DEFAULT_DB_ALIAS,
) -> None:
    """Insert ``instance``, its ``children`` (their foreign key ``parent`` made
    to point at the new row) and ``then`` (say a rollup's upsert,
    ``kaya.rollups.rollup_statement``) in one statement, on a database where
    ``writes_in_one_statement``: one round trip, all or nothing on its own, so
    a write made only of this needs no transaction (whose BEGIN and COMMIT
    would be two more round trips). Sets ``instance.pk`` as ``save()`` does.

    Values are prepared as the ORM prepares an insert (``pre_save``, so
    ``auto_now`` fields are set, then ``get_db_prep_save``, so encrypted fields
    encrypt). As with ``bulk_create``, no model signals are sent and no
    ``save()`` override runs: only for models without either. ``children``
    are inserted in their order, one statement part per model; their foreign
    key is set, their own ids are not read back."""
    connection = connections[using]
    quote = connection.ops.quote_name
    opts = instance._meta
    pk_column = quote(str(opts.pk.column))
    params: list[Any] = []

    def row(obj: Model, fields: Sequence[Any], parent_field: Any = None) -> str:
        marks = []
        for field in fields:
            if field is parent_field:
                marks.append(f"(SELECT {pk_column} FROM new_row)")  # noqa: S608
                continue
            value = field.pre_save(obj, add=True)
            params.append(field.get_db_prep_save(value, connection=connection))
            marks.append("%s")
        return f"({', '.join(marks)})"

    def insertable(model_opts: Any, obj: Model) -> list[Any]:
        return [
            field
            for field in model_opts.local_concrete_fields
            if not field.generated
            and not (field is model_opts.auto_field and obj.pk is None)
        ]

    def columns(fields: Sequence[Any]) -> str:
        return ", ".join(quote(str(field.column)) for field in fields)

    fields = insertable(opts, instance)
    # Only quoted names from the models' metadata are formatted in; every value
    # is a parameter.
    parts = [
        f"new_row AS (INSERT INTO {quote(opts.db_table)} ({columns(fields)}) "  # noqa: S608
        f"VALUES {row(instance, fields)} RETURNING {pk_column})"
    ]
    by_model: dict[type[Model], list[Model]] = {}
    for child in children:
        by_model.setdefault(type(child), []).append(child)
    parent_fields: dict[type[Model], ForeignKey[Any, Any]] = {}
    for number, (model, objs) in enumerate(by_model.items()):
        child_opts = model._meta
        parent_field = child_opts.get_field(parent)
        if not (
            isinstance(parent_field, ForeignKey)
            and parent_field.related_model is opts.concrete_model
        ):
            raise ValueError(f"{model.__name__}.{parent} is not a key to the row.")
        parent_fields[model] = parent_field
        child_fields = insertable(child_opts, objs[0])
        rows = ", ".join(row(obj, child_fields, parent_field) for obj in objs)
        parts.append(
            f"children_{number} AS (INSERT INTO {quote(child_opts.db_table)} "  # noqa: S608
            f"({columns(child_fields)}) VALUES {rows})"
        )
    for number, (sql, statement_params) in enumerate(then):
        parts.append(f"then_{number} AS ({sql})")
        params.extend(statement_params)
    sql = f"WITH {', '.join(parts)} SELECT {pk_column} FROM new_row"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        (pk,) = cursor.fetchone()
    instance.pk = pk
    instance._state.adding = False
    instance._state.db = using
    for child in children:
        setattr(child, parent_fields[type(child)].attname, pk)
