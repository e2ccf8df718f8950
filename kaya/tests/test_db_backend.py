"""The PostgreSQL backend's health check (kaya/db/postgresql/base.py): no
``SELECT 1`` round trip on a live connection, and a connection the server has
dropped is never used for a request.

Each test drives its own connection (not the test's transaction) through what
Django does around a request: ``close_if_unusable_or_obsolete()`` when it starts
and ends, statements in between. What the connection sends is read from libpq's
own protocol trace.
"""

from __future__ import annotations

import select
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections
from psycopg import pq

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture
def own_connection() -> Iterator:
    wrapper = connections.create_connection(DEFAULT_DB_ALIAS)
    assert wrapper.settings_dict["CONN_HEALTH_CHECKS"] is True
    assert wrapper.settings_dict["CONN_MAX_AGE"] > 0
    try:
        yield wrapper
    finally:
        wrapper.close()


def request(wrapper, sql: str) -> tuple | None:
    """One request's worth: Django's request_started / request_finished hooks
    around one statement."""
    wrapper.close_if_unusable_or_obsolete()
    with wrapper.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone() if cursor.description else None
    wrapper.close_if_unusable_or_obsolete()
    return row


def sent_statements(path: Path) -> list[str]:
    """The statements the client sent, from a protocol trace ("F" lines)."""
    return [
        line.split("\t")[-1].strip().strip('"')
        for line in path.read_text().splitlines()
        if line.startswith("F") and ("\tQuery\t" in line or "\tParse\t" in line)
    ]


def traced(wrapper, path: Path):
    """Start libpq's protocol trace of the wrapper's connection into ``path``."""
    handle = path.open("w")
    wrapper.connection.pgconn.trace(handle.fileno())
    wrapper.connection.pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS)
    return handle


def test_a_live_connection_sends_no_health_check_round_trip(own_connection, tmp_path):
    assert request(own_connection, "SELECT 41") == (41,)
    trace = tmp_path / "trace"
    handle = traced(own_connection, trace)
    try:
        for n in (42, 43, 44):
            assert request(own_connection, f"SELECT {n}") == (n,)
    finally:
        own_connection.connection.pgconn.untrace()
        handle.close()

    assert sent_statements(trace) == ["SELECT 42", "SELECT 43", "SELECT 44"]


def test_a_session_killed_between_requests_is_replaced_before_the_next(
    own_connection,
):
    request(own_connection, "SELECT 1")
    killed = own_connection.connection.info.backend_pid
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [killed])
        assert cursor.fetchone() == (True,)
    # The server's FATAL message and close reach the client's socket.
    fd = own_connection.connection.fileno()
    assert select.select([fd], [], [], 10)[0] == [fd]

    assert request(own_connection, "SELECT 42") == (42,)
    assert own_connection.connection.info.backend_pid != killed


def test_a_connection_with_something_to_read_is_checked_and_kept_when_alive(
    own_connection, tmp_path
):
    # LISTEN, then a NOTIFY from another session: the socket has something to
    # read, yet the connection is fine. It is checked with SELECT 1 and kept.
    request(own_connection, "LISTEN kaya_backend_test")
    pid = own_connection.connection.info.backend_pid
    with connections.create_connection(DEFAULT_DB_ALIAS).cursor() as other:
        other.execute("NOTIFY kaya_backend_test")
        other.connection.close()
    fd = own_connection.connection.fileno()
    assert select.select([fd], [], [], 10)[0] == [fd]
    trace = tmp_path / "trace"
    handle = traced(own_connection, trace)
    try:
        assert request(own_connection, "SELECT 42") == (42,)
    finally:
        own_connection.connection.pgconn.untrace()
        handle.close()

    assert sent_statements(trace) == ["SELECT 1", "SELECT 42"]
    assert own_connection.connection.info.backend_pid == pid


# --- timestamptz values read by psycopg's C loader ---------------------------

TIMESTAMPS_SQL = """
select v from (values
    ('2026-03-29 01:30:00.123456+02'::timestamptz),
    ('2026-10-25 01:59:59.999999+00'),
    ('2024-02-29 23:59:59+14'),
    ('0001-01-01 00:00:00+00'),
    ('9999-12-31 23:59:59.999999+00'),
    ('1969-12-31 23:59:59.5-03:30'),
    (now()),
    (null)
) as t(v)
"""


def test_timestamptz_values_are_read_by_the_c_loader_unchanged(own_connection):
    """The loader the backend registers gives the very values Django's own
    (Python) loader gives, with Django's ``tzinfo``, and Django does not swap
    its own back in on each cursor."""
    import datetime

    from django.db.backends.postgresql.psycopg_any import register_tzloader
    from psycopg._cmodule import _psycopg

    if _psycopg is None:
        pytest.skip("psycopg without its C module: Django's loader is kept")
    with own_connection.cursor() as cursor:
        loader = cursor.cursor.adapters.get_loader(1184, pq.Format.TEXT)
        assert loader.__name__ == "UtcTimestamptzLoader"
        cursor.execute(TIMESTAMPS_SQL)
        ours = [row[0] for row in cursor.fetchall()]
    with own_connection.cursor() as cursor:
        register_tzloader(datetime.UTC, cursor.cursor)
        cursor.execute(TIMESTAMPS_SQL)
        djangos = [row[0] for row in cursor.fetchall()]
    # now() differs between the two statements; compare everything else.
    assert ours[:6] + ours[7:] == djangos[:6] + djangos[7:]
    assert ours[7] is None
    for value in ours[:7]:
        assert value.tzinfo is datetime.UTC
    assert ours[0] == datetime.datetime(
        2026, 3, 28, 23, 30, 0, 123456, tzinfo=datetime.UTC
    )


def test_a_zone_other_than_utc_keeps_djangos_loader():
    """With a per-database TIME_ZONE the values must be re-labelled in that
    zone, which Django's loader does; the C loader is not used then."""
    import zoneinfo

    from django.db.backends.postgresql.psycopg_any import get_adapters_template

    from kaya.db.postgresql.base import _with_c_timestamptz_loader

    template = get_adapters_template(True, zoneinfo.ZoneInfo("Europe/Paris"))
    assert _with_c_timestamptz_loader(template) is template
