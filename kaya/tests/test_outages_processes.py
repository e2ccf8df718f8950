"""Real processes against dependencies that hang (service-backed run only).

Each test owns what it breaks: a redis-server on a spare port that it freezes
with SIGSTOP, or a "database" that accepts connections and never answers. The
API runs under gunicorn with the Dockerfile's own command line (read from the
Dockerfile, so the test cannot drift from what is deployed). Every process is
stopped by its id when the test ends.
"""

import json
import os
import signal
import socket
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django_redis.cache import RedisCache

from conftest import bearer
from kaya.cache import reset_breakers
from kaya.testing import (
    Started,
    free_port,
    gunicorn_start,
    http,
    process_env,
    process_start,
    processes_stop,
    redis_server_start,
    test_database_url,
    wait_until,
    wait_until_serving,
)

# Accepts every connection and never sends a byte (a hung PostgreSQL).
_SILENT_LISTENER = """
import socket, sys
server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", int(sys.argv[1])))
server.listen(128)
held = []
while True:
    held.append(server.accept()[0])
"""


def _serving_on(port: int):
    def ready() -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            return False

    return ready


@pytest.fixture
def own_redis(tmp_path):
    """A redis-server of this test's own, which it may freeze: (port, process)."""
    server = redis_server_start("redis-own", log_dir=tmp_path)
    reset_breakers()
    try:
        yield server.port, server.process
    finally:
        processes_stop([server])  # resumes a frozen server before stopping it
        reset_breakers()


@pytest.fixture
def silent_database(tmp_path):
    """A port that accepts connections and never answers: the port."""
    port = free_port()
    listener = process_start(
        "silent-database",
        [sys.executable, "-c", _SILENT_LISTENER, str(port)],
        env=process_env(),
        log_dir=tmp_path,
        port=port,
    )
    try:
        wait_until(_serving_on(port), listener, what="listen", deadline_seconds=10)
        yield port
    finally:
        processes_stop([listener])


def _server_env(**overrides: str) -> dict[str, str]:
    return process_env(
        SECRET_KEY=settings.SECRET_KEY,
        FIELD_ENCRYPTION_KEYS=",".join(settings.FIELD_ENCRYPTION_KEYS),
        DEBUG="1",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        LOG_LEVEL="WARNING",
        # Nothing from the outer environment may route around the test's Redis.
        CACHE_URL="",
        CHANNEL_LAYER_URL="",
        CELERY_BROKER_URL="",
        CELERY_TASK_ALWAYS_EAGER="1",
        **overrides,
    )


def _start_gunicorn(env: dict[str, str], log_dir: Path) -> Started:
    """The Dockerfile's own command line (kaya.testing reads it), serving."""
    server = gunicorn_start("gunicorn", env=env, log_dir=log_dir)
    try:
        wait_until_serving(server)
    except BaseException:
        processes_stop([server])
        raise
    return server


def _request(url, *, token=None, method="GET", body=None, timeout=10):
    """(status, json body, seconds taken) of one request."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, method=method, data=data)
    if token:
        request.add_header("Authorization", token)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    started = time.monotonic()
    try:
        with http.open(request, timeout=timeout) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    return status, json.loads(raw or b"null"), time.monotonic() - started


@pytest.fixture
def gunicorn_with_own_redis(own_redis, tmp_path):
    redis_port, redis_process = own_redis
    env = _server_env(
        DATABASE_URL=test_database_url(),
        REDIS_URL=f"redis://127.0.0.1:{redis_port}/0",
        ACCOUNTS_LOGIN_MAX_FAILURES="3",
        HEALTH_CHECK_TIMEOUT_MS="1000",
    )
    server = _start_gunicorn(env, tmp_path)
    try:
        yield server.port, redis_process
    finally:
        processes_stop([server])
        # Its connections are gone; ours may be dropped and re-made.
        connection.close()


CONCURRENT_REQUESTS = 30


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_requests_finish_within_a_second_and_lockout_holds_while_redis_is_frozen(
    user, gunicorn_with_own_redis
):
    port, redis_process = gunicorn_with_own_redis
    base = f"http://127.0.0.1:{port}"
    token = bearer(user)

    def me(_):
        return _request(f"{base}/api/v1/users/me", token=token)

    wrong = {"email": user.email, "password": "wrong password!!"}
    with ThreadPoolExecutor(CONCURRENT_REQUESTS) as pool:
        # Warm every worker up (imports, URLs, database and Redis connections):
        # the bound is about a dependency that hangs, not about a cold start.
        warm = list(pool.map(me, range(CONCURRENT_REQUESTS)))
        assert {status for status, _, _ in warm} == {200}

        os.kill(redis_process.pid, signal.SIGSTOP)
        try:
            frozen = list(pool.map(me, range(CONCURRENT_REQUESTS)))
            ready_status, ready, ready_seconds = _request(f"{base}/health/ready")
            logins = [
                _request(f"{base}/api/v1/auth/login", method="POST", body=wrong)
                for _ in range(4)
            ]
        finally:
            os.kill(redis_process.pid, signal.SIGCONT)

    assert [status for status, _, _ in frozen] == [200] * CONCURRENT_REQUESTS
    assert {body["email"] for _, body, _ in frozen} == {user.email}
    timings = sorted(round(seconds, 2) for _, _, seconds in frozen)
    assert timings[-1] < 1.0, timings
    # Readiness answers within its bound (1 s here) and names the cache.
    assert ready_status == 503
    assert ready["checks"]["cache"]["status"] == "down"
    assert ready["checks"]["database"]["status"] == "up"
    assert ready_seconds < 1.5
    # The lockout counts in the database: the 4th wrong password (limit 3) is
    # refused although every throttle's cache is unreachable. Each login costs an
    # Argon2 hash, so its bound is looser; waiting out the cache's timeouts would
    # take far longer.
    assert [status for status, _, _ in logins] == [401, 401, 401, 429]
    assert logins[-1][1]["error"]["code"] == "login_locked"
    assert max(seconds for *_, seconds in logins) < 3.0


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_silent_database_gives_json_503_within_the_connect_timeout(
    user, silent_database, tmp_path
):
    token = bearer(user)
    env = _server_env(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{silent_database}/kaya",
        REDIS_URL="",
        DB_CONNECT_TIMEOUT="2",
        HEALTH_CHECK_TIMEOUT_MS="1000",
    )
    server = _start_gunicorn(env, tmp_path)
    try:
        me = _request(server.url("/api/v1/users/me"), token=token)
        ready = _request(server.url("/health/ready"))
    finally:
        processes_stop([server])

    status, body, seconds = me
    assert status == 503
    assert body["error"]["code"] == "service_unavailable"
    assert 2 <= seconds < 3.5
    status, body, seconds = ready
    assert status == 503
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == {
        "status": "down",
        "error": "TimeoutError",
        "latency_ms": body["checks"]["database"]["latency_ms"],
    }
    assert body["checks"]["cache"]["status"] == "up"
    assert seconds < 1.5


@pytest.mark.redis
def test_after_one_timeout_the_cache_skips_a_frozen_redis_for_a_while(
    own_redis, settings
):
    port, redis_process = own_redis
    settings.CACHE_BREAKER_SECONDS = 1
    cache = RedisCache(
        f"redis://127.0.0.1:{port}/0",
        {
            "OPTIONS": {
                **settings.CACHES["default"]["OPTIONS"],
                "REDIS_CLIENT_CLASS": "kaya.cache.CircuitBreakerRedis",
                "SOCKET_CONNECT_TIMEOUT": 0.3,
                "SOCKET_TIMEOUT": 0.3,
                "IGNORE_EXCEPTIONS": True,
            }
        },
    )
    cache.set("greeting", "hello")

    os.kill(redis_process.pid, signal.SIGSTOP)
    try:
        timings = []
        for _ in range(5):
            started = time.monotonic()
            value = cache.get("greeting")
            timings.append(time.monotonic() - started)
            assert value is None
        time.sleep(1.1)
        started = time.monotonic()
        assert cache.get("greeting") is None  # one new try, which times out
        retried = time.monotonic() - started
    finally:
        os.kill(redis_process.pid, signal.SIGCONT)
    time.sleep(1.1)
    recovered = cache.get("greeting")
    cache.close()

    assert 0.3 <= timings[0] < 0.6
    assert max(timings[1:]) < 0.05
    assert 0.3 <= retried < 0.6
    assert recovered == "hello"
