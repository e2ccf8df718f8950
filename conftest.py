"""Shared fixtures: users, API clients, and the service markers.

Tests marked ``postgres`` or ``redis`` need that service. On the embedded default
they are skipped; with KAYA_REQUIRE_SERVICES=1 (the service-backed CI run) a
missing or unreachable service fails them instead, so they never pass by skipping.
"""

from __future__ import annotations

import os
import re

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connections
from rest_framework.test import APIClient

from accounts.authentication import forget_user_rows
from accounts.jwt import access_token_for
from accounts.tests.factories import UserFactory, _test_password_hash
from kaya.cache import reset_breakers
from kaya.testing import celery_worker_running

REQUIRE_SERVICES = os.environ.get("KAYA_REQUIRE_SERVICES") == "1"

# The hashers kaya.settings ships (Argon2 first). Tests hash with MD5 instead:
# Argon2 is slow by design and cost the suite about 35 s of CPU. The production
# hashers stay listed after it, so a hash made by a server process under test
# still verifies; tests about hashing take them back with ``@pytest.mark.argon2``.
PRODUCTION_PASSWORD_HASHERS = list(settings.PASSWORD_HASHERS)
FAST_PASSWORD_HASHER = "django.contrib.auth.hashers.MD5PasswordHasher"


def pytest_configure(config: pytest.Config) -> None:
    from django.contrib.auth.hashers import get_hashers, get_hashers_by_algorithm

    settings.PASSWORD_HASHERS = [FAST_PASSWORD_HASHER, *PRODUCTION_PASSWORD_HASHERS]
    get_hashers.cache_clear()
    get_hashers_by_algorithm.cache_clear()
    # The factories hash their shared password once per process: make it the fast
    # hash now, whichever test (an Argon2 one included) builds the first user.
    _test_password_hash()
    # Query counts include the authentication statement, whichever cache the
    # run has. The rows a worker remembers (on by default with Redis) are
    # tested on their own: both ways in accounts/tests/test_authentication.py,
    # across gunicorn's workers in kaya/tests/test_production_shape.py.
    settings.AUTH_USER_CACHE_SECONDS = 0


# Contract fuzzing (kaya/tests/test_fuzz.py, marker ``fuzz``) takes minutes: it
# runs in one process with `make fuzz` (CI runs it after the service-backed
# `make test`), on demand with KAYA_FUZZ=1 or when the file is named; `make test`
# leaves it out (never collected, so never counted as skipped). Never under
# pytest-xdist: there Schemathesis's generated operation tests do not run at all
# (measured: its two parent tests "pass" in 0.1 s), so a worker never collects it.
RUN_FUZZ = os.environ.get("KAYA_FUZZ") == "1" and not os.environ.get(
    "PYTEST_XDIST_WORKER"
)
collect_ignore = [] if RUN_FUZZ else ["kaya/tests/test_fuzz.py"]


def _missing(reason: str) -> None:
    if REQUIRE_SERVICES:
        pytest.fail(f"required service unavailable: {reason}", pytrace=False)
    pytest.skip(reason)


def redis_reachable() -> bool:
    import redis

    try:
        return bool(
            redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2).ping()
        )
    except redis.RedisError:
        return False


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("postgres") and settings.DB_VENDOR != "postgresql":
        _missing("needs PostgreSQL: set DATABASE_URL")
    if item.get_closest_marker("browser"):
        chromium = os.environ.get("KAYA_CHROMIUM", "/usr/bin/chromium")
        if not os.access(chromium, os.X_OK):
            _missing(f"needs Chromium at {chromium} (apt-get install chromium)")
    if item.get_closest_marker("redis"):
        if not settings.REDIS_URL:
            _missing("needs Redis: set REDIS_URL")
        elif not redis_reachable():
            _missing("Redis at REDIS_URL is unreachable")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test databases, dropped with no statement timeout.

    kaya.settings gives every PostgreSQL session a ``statement_timeout``
    (DB_STATEMENT_TIMEOUT_MS, 10 s). ``DROP DATABASE`` waits for a forced
    checkpoint, which on a busy server (other databases' writes to flush) can
    take longer, and the session's teardown then failed with "canceling statement
    due to statement timeout" after every test had passed. The deploy's migrate
    job runs without the timeout for the same reason; so does the teardown here
    (after this fixture's own teardown, pytest-django's drops the databases).

    A server process a test started and stopped may leave its backend a moment
    longer than its pid ("database is being accessed by other users"): such
    leftover sessions of the test database are ended before the drop."""
    yield
    for connection in connections.all():
        options = connection.settings_dict.get("OPTIONS", {})
        if "statement_timeout" in options.get("options", ""):
            options["options"] = re.sub(
                r"-c statement_timeout=\d+", "", options["options"]
            ).strip()
            connection.close()
        if connection.vendor == "postgresql":
            with django_db_blocker.unblock(), connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            connection.close()


@pytest.fixture(autouse=True)
def _production_hashers(request: pytest.FixtureRequest):
    """``@pytest.mark.argon2``: hash as production does (MD5 stays last so the
    shared factory users still log in)."""
    if request.node.get_closest_marker("argon2") is None:
        yield
        return
    override = request.getfixturevalue("settings")
    override.PASSWORD_HASHERS = [*PRODUCTION_PASSWORD_HASHERS, FAST_PASSWORD_HASHER]
    yield


@pytest.fixture(autouse=True)
def _isolated_cache():
    """Throttle counters, cached lists and a tripped Redis breaker must not leak
    between tests."""
    reset_breakers()
    cache.clear()
    forget_user_rows()
    yield
    reset_breakers()
    cache.clear()
    forget_user_rows()


@pytest.fixture(autouse=True, scope="session")
def _validate_realtime_events():
    """Every websocket frame a test makes the server send is checked against its
    JSON Schema (notifications.event_schemas): a drifted event fails its test."""
    settings.KAYA_VALIDATE_EVENTS = True
    yield


@pytest.fixture(autouse=True)
def _validate_api_responses(request, monkeypatch):
    """Every response a test client receives from an /api/v1/ path is checked
    against the OpenAPI document (kaya/tests/response_schema.py): a drifted
    response or an undocumented status code fails the test that received it.
    Opt out with ``@pytest.mark.no_response_schema`` (and say why)."""
    if request.node.get_closest_marker("no_response_schema"):
        yield
        return
    from django.test import Client

    from kaya.tests.response_schema import check_response

    original = Client.request

    def request_and_check(self, **environ):
        response = original(self, **environ)
        sent = getattr(response, "request", None) or environ
        check_response(
            sent.get("REQUEST_METHOD", "GET"), sent.get("PATH_INFO", ""), response
        )
        return response

    monkeypatch.setattr(Client, "request", request_and_check)
    yield


@pytest.fixture(autouse=True)
def _scan_api_responses(request, monkeypatch):
    """Every response a test client receives from an /api/ path is scanned for
    password hashes, other users' tokens and emails, refresh tokens outside the
    token endpoints, internal fields and ciphertext (kaya/tests/response_scan.py).
    Opt out with ``@pytest.mark.no_response_scan(reason="...")``."""
    marker = request.node.get_closest_marker("no_response_scan")
    if marker is not None:
        if not marker.kwargs.get("reason"):
            pytest.fail("no_response_scan needs a reason=", pytrace=False)
        yield
        return
    from django.test import Client

    from kaya.tests.response_scan import scan_response

    original = Client.request

    def request_and_scan(self, **environ):
        response = original(self, **environ)
        sent = getattr(response, "request", None) or environ
        # What the client sent (FakePayload keeps it in a private buffer): an
        # address the request itself carries may come back (login, sign-up).
        payload = sent.get("wsgi.input")
        buffer = getattr(payload, "_FakePayload__content", None)
        scan_response(
            sent.get("REQUEST_METHOD", "GET"),
            sent.get("PATH_INFO", ""),
            buffer.getvalue() if buffer is not None else b"",
            response,
        )
        return response

    monkeypatch.setattr(Client, "request", request_and_scan)
    yield


@pytest.fixture(autouse=True, scope="session")
def _log_scanner():
    """Every log record of the run, as the production handler would write it,
    is scanned for JWTs, the test password, email-link tokens and the journal
    canary (kaya/tests/log_scan.py)."""
    from kaya.tests.log_scan import LogScanner, describe

    scanner = LogScanner()
    scanner.install()
    yield scanner
    scanner.uninstall()
    if scanner.findings:
        pytest.fail(
            "secrets logged outside any test:\n" + describe(scanner.findings),
            pytrace=False,
        )


@pytest.fixture(autouse=True)
def _no_secrets_in_logs(_log_scanner):
    """Fails the test during which a secret reached a log line."""
    from kaya.tests.log_scan import describe

    seen = len(_log_scanner.findings)
    yield
    leaked = _log_scanner.findings[seen:]
    del _log_scanner.findings[seen:]
    if leaked:
        pytest.fail("secrets in the logs:\n" + describe(leaked), pytrace=False)


@pytest.fixture(autouse=True, scope="session")
def _eager_celery():
    """Tasks run in-process in tests, against the real database and cache."""
    from kaya.celery import app

    app.conf.task_always_eager = True
    yield


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def other_user(db):
    return UserFactory()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


def bearer(user) -> str:
    """An Authorization header minted as accounts mints access tokens (with the
    user's token epoch, which logout-all and password changes bump)."""
    return f"Bearer {access_token_for(user)}"


@pytest.fixture
def auth_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=bearer(user))
    return client


@pytest.fixture
def other_client(other_user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=bearer(other_user))
    return client


@pytest.fixture
def celery_worker_process(tmp_path):
    """A real Celery worker process (``kaya.testing.celery_worker_running``):
    tasks queued during the test run there, not inline. Emails it sends are
    files in ``tmp_path / "outbox"``. Needs PostgreSQL and Redis, and
    ``django_db(transaction=True)`` so the worker sees committed rows."""
    with celery_worker_running(tmp_path) as started:
        yield started
