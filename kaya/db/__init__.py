"""Database helpers every app may use (the PostgreSQL backend lives in
``kaya.db.postgresql``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections

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
