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
