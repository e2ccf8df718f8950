"""kaya.db.planned_once_cursor: a hot statement is prepared on the server
(PostgreSQL plans it once per connection), through Django's cursor wrapper."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kaya.db import planned_once_cursor
from kaya.testing import prepared_plans, prepared_statements

SQL = "SELECT %s::int + 1, 'planned once' AS tag"


@pytest.mark.django_db
def test_it_answers_like_djangos_cursor_and_is_seen_by_its_wrappers():
    with CaptureQueriesContext(connection) as queries, planned_once_cursor() as cursor:
        cursor.execute(
            SQL.replace("::int", "") if connection.vendor == "sqlite" else SQL, [41]
        )
        assert cursor.fetchone()[0] == 42
    assert len(queries.captured_queries) == 1
    # The statement is in the query log (not None), as Django's cursors log it.
    assert "'planned once' AS tag" in queries.captured_queries[0]["sql"]


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgresql_prepares_a_statement_run_often():
    def prepared() -> int:
        return len(prepared_statements("%planned once%"))

    assert prepared() == 0
    for n in range(6):
        with planned_once_cursor() as cursor:
            cursor.execute(SQL, [n])
            assert cursor.fetchone()[0] == n + 1
        # Prepared at its first run, once for the connection.
        assert prepared() == 1


@pytest.mark.postgres
@pytest.mark.django_db
def test_every_request_reuses_the_prepared_token_user_and_profile_counts(
    auth_client, other_client
):
    """The token's user (every authenticated request) and the profile's journal
    counts (/users/me/stats) are prepared once per connection, then reused for
    any user."""

    for client in (auth_client, other_client, auth_client):
        assert client.get("/api/v1/users/me").status_code == 200
        assert client.get("/api/v1/users/me/stats").status_code == 200
    assert len(prepared_statements('%FROM "accounts_user" WHERE%')) == 1
    assert len(prepared_statements("%journal_gratitudeentry%")) == 1


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgresql_keeps_one_plan_from_the_first_run():
    """plan_cache_mode=force_generic_plan (the connection's options): left to
    choose, PostgreSQL re-plans a statement whose LIMIT is a parameter on every
    run, since it prices the generic plan for an unknown LIMIT higher."""
    paged = "SELECT g, 'planned once' AS tag FROM generate_series(1, 1000) g "
    paged += "ORDER BY g DESC LIMIT %s"
    for n in range(1, 8):
        with planned_once_cursor() as cursor:
            cursor.execute(paged, [n])
            assert len(cursor.fetchall()) == n
    [(_name, generic_plans, custom_plans)] = prepared_plans("%planned once%")
    assert (generic_plans, custom_plans) == (7, 0)
