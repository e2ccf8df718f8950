"""Requests keep their error shape and answer in time when a dependency is down.

In-process: a cache on a closed port (Redis down), a database error raised in a
view, the readiness bound. The real processes against a frozen Redis and a silent
database are in test_outages_processes.py.
"""

import logging
import time

import pytest
from django.db import connection

from kaya.health import run_checks

pytestmark = [pytest.mark.django_db, pytest.mark.urls("kaya.tests.urls")]

# The production cache options (kaya/settings.py), on a port nothing listens on.
REDIS_DOWN_CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "KEY_PREFIX": "kaya",
        "OPTIONS": {
            "CLIENT_CLASS": "django_redis.client.DefaultClient",
            "REDIS_CLIENT_CLASS": "kaya.cache.CircuitBreakerRedis",
            "SOCKET_CONNECT_TIMEOUT": 0.3,
            "SOCKET_TIMEOUT": 0.3,
            "IGNORE_EXCEPTIONS": True,
        },
    }
}


@pytest.fixture
def redis_down(settings):
    from kaya.cache import reset_breakers

    settings.CACHES = REDIS_DOWN_CACHES
    reset_breakers()
    yield
    reset_breakers()


def test_program_list_answers_200_when_the_redis_cache_is_down(auth_client, redis_down):
    from wellness.tests.factories import WellnessProgramFactory

    program = WellnessProgramFactory(is_published=True)

    response = auth_client.get("/api/v1/programs")

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [program.id]


def test_catalogue_version_is_a_fresh_one_when_the_cache_is_down(redis_down):
    from wellness.cache import program_catalog_version

    before = int(time.time() * 1_000_000)
    version = program_catalog_version()

    assert before <= version <= int(time.time() * 1_000_000)


def test_realtime_ticket_is_503_not_a_dead_ticket_when_the_cache_is_down(
    auth_client, redis_down
):
    response = auth_client.post("/api/v1/realtime/ticket")

    assert response.status_code == 503
    assert response.json()["error"]["code"] == "service_unavailable"
    assert "ticket" not in response.json()


def test_a_database_error_in_a_request_is_503_in_the_error_shape(api_client, caplog):
    with caplog.at_level(logging.WARNING, logger="kaya.errors"):
        response = api_client.get(
            "/api/v1/test/database-down", HTTP_X_REQUEST_ID="req-db-down"
        )

    assert response.status_code == 503
    assert response.json() == {
        "error": {
            "code": "service_unavailable",
            "message": "The service is temporarily unavailable. Please try "
            "again shortly.",
            "request_id": "req-db-down",
        }
    }
    # Neither the body nor the log line carries the server's address.
    assert "10.0.0.5" not in response.content.decode()
    assert [r.getMessage() for r in caplog.records if r.name == "kaya.errors"] == [
        "Database unavailable in GET /api/v1/test/database-down (OperationalError)"
    ]


def test_a_lost_database_connection_in_a_request_is_503(api_client):
    response = api_client.get("/api/v1/test/database-down?error=interface")

    assert response.status_code == 503
    assert response.json()["error"]["code"] == "service_unavailable"


@pytest.mark.postgres
def test_sessions_run_with_the_configured_statement_timeout(settings):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setting FROM pg_settings WHERE name = 'statement_timeout'"
        )
        (value,) = cursor.fetchone()

    assert settings.DB_STATEMENT_TIMEOUT_MS == 10_000
    assert int(value) == settings.DB_STATEMENT_TIMEOUT_MS
    assert connection.settings_dict["OPTIONS"]["connect_timeout"] == 3


@pytest.mark.postgres
def test_a_statement_postgres_cancels_is_503_in_the_error_shape(api_client):
    started = time.monotonic()
    response = api_client.get("/api/v1/test/slow-query")

    assert time.monotonic() - started < 2
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "service_unavailable"


def test_readiness_reports_a_hung_check_down_within_the_bound(settings):
    settings.HEALTH_CHECK_TIMEOUT_MS = 200

    started = time.monotonic()
    results = run_checks({"hung": lambda: time.sleep(1.5), "quick": lambda: None})
    elapsed = time.monotonic() - started

    assert elapsed < 0.5
    assert results["hung"]["status"] == "down"
    assert results["hung"]["error"] == "TimeoutError"
    assert results["hung"]["latency_ms"] >= 200
    assert results["quick"]["status"] == "up"


def test_mood_trends_are_read_from_the_rollups_when_the_cache_is_down(
    auth_client, user, redis_down, django_assert_num_queries
):
    from journal.services import mood_entry_create

    mood_entry_create(user=user, mood="good", intensity=5, emotions=["calm"])
    for _ in range(2):
        # Authentication and the rollups each time: no cached answer, no error.
        with django_assert_num_queries(2):
            response = auth_client.get("/api/v1/analytics/mood-trends")
        assert response.status_code == 200
        assert response.json()["buckets"][-1]["entries_count"] == 1
