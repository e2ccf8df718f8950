"""The production-shaped smoke run (service-backed run only).

The processes we ship, started with the command lines of the Dockerfile CMD and
docker-compose.yml (read from those files) and compose's app environment
(DEBUG off, SECRET_KEY and FIELD_ENCRYPTION_KEYS set), against the PostgreSQL
test database and a private redis-server: gunicorn (REST), daphne
(websockets) and a Celery worker (emails, to files). They are driven black-box
over HTTP and websockets.
"""

from __future__ import annotations

import json
import re
import signal
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import redis
from django.conf import settings
from django.db import connection
from websockets.sync.client import connect

from accounts.models import User
from kaya.testing import (
    Started,
    celery_worker_start,
    compose_environment,
    daphne_start,
    gunicorn_start,
    http,
    process_env,
    processes_stop,
    redis_server_start,
    test_database_url,
    wait_until_serving,
    wait_until_worker_ready,
)
from notifications.services import email_preferences_token

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    # Each test flushes the rows the servers wrote, so later tests start clean.
    pytest.mark.django_db(transaction=True),
]

PASSWORD = "a calm river at dawn 42"
NEW_PASSWORD = "quiet mountain lake 77"
FRONTEND = "http://app.kaya.test"


@dataclass
class Stack:
    api: Started
    ws: Started
    worker: Started
    redis: Started
    outbox: Path

    @property
    def processes(self) -> list[Started]:
        return [self.api, self.ws, self.worker]

    def output(self) -> str:
        return "".join(each.output() for each in self.processes)


@pytest.fixture(scope="module")
def stack(django_db_setup, tmp_path_factory):
    base = tmp_path_factory.mktemp("production-shape")
    outbox = base / "outbox"
    started: list[Started] = []
    try:
        # A private Redis: the freeze check stops it without touching anyone else.
        redis = redis_server_start("redis", log_dir=base)
        started.append(redis)
        redis_url = f"redis://127.0.0.1:{redis.port}/0"
        env = process_env(
            **compose_environment(
                SECRET_KEY=settings.SECRET_KEY,
                FIELD_ENCRYPTION_KEYS=",".join(settings.FIELD_ENCRYPTION_KEYS),
                DATABASE_URL=test_database_url(),
                REDIS_URL=redis_url,
                ALLOWED_HOSTS="127.0.0.1,localhost",
                # No proxy in front here: the client address is the peer's.
                TRUSTED_PROXY_COUNT="0",
            ),
            # The Dockerfile's own ENV.
            KAYA_VAR_DIR=str(base / "var"),
            EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
            EMAIL_FILE_PATH=str(outbox),
            FRONTEND_URL=FRONTEND,
            # Everything the processes log at INFO is searched for tokens.
            LOG_LEVEL="INFO",
        )
        assert env["DEBUG"] == "0"
        api = gunicorn_start("gunicorn", env=env, log_dir=base)
        started.append(api)
        ws = daphne_start("daphne", env=env, log_dir=base)
        started.append(ws)
        worker = celery_worker_start("celery", env=env, log_dir=base)
        started.append(worker)
        wait_until_serving(api)
        wait_until_serving(ws)
        wait_until_worker_ready(worker)
        yield Stack(api=api, ws=ws, worker=worker, redis=redis, outbox=outbox)
    finally:
        # Servers first (together), then the Redis they use.
        processes_stop(started[1:])
        processes_stop(started[:1])
        # Their connections to the test database are gone; ours may be re-made.
        connection.close()


# ---------------------------------------------------------------------------
# Black-box clients
# ---------------------------------------------------------------------------
@dataclass
class Reply:
    status: int
    body: Any
    seconds: float


def call(
    server: Started,
    method: str,
    path: str,
    body: Any = None,
    *,
    token: str | None = None,
    raw: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 15,
) -> Reply:
    data = raw if raw is not None else (None if body is None else json.dumps(body))
    request = urllib.request.Request(
        f"http://127.0.0.1:{server.port}{path}",
        method=method,
        data=data.encode() if isinstance(data, str) else data,
    )
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    began = time.monotonic()
    try:
        with http.open(request, timeout=timeout) as response:
            status, payload = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, payload = error.code, error.read()
    seconds = time.monotonic() - began
    try:
        parsed = json.loads(payload) if payload else None
    except ValueError:
        parsed = payload.decode(errors="replace")
    return Reply(status, parsed, seconds)


def _wait_for_email(stack: Stack, kind: str, seen: set[str]) -> str:
    """The ``/<kind>/<token>`` token of a new email the worker wrote."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        # The file backend names files by second and object id, so the names of
        # one second do not sort in arrival order: look at every unseen file.
        for path in stack.outbox.glob("*.log") if stack.outbox.exists() else []:
            if path.name in seen:
                continue
            match = re.search(rf"{FRONTEND}/{kind}/(\S+)", path.read_text())
            if match:
                return match.group(1)
        assert stack.worker.process.poll() is None, stack.worker.tail()
        time.sleep(0.3)
    pytest.fail(f"no {kind} email was sent:\n{stack.worker.tail()}")


def _outbox_names(stack: Stack) -> set[str]:
    if not stack.outbox.exists():
        return set()
    return {path.name for path in stack.outbox.glob("*.log")}


def _sign_up(stack: Stack, email: str) -> dict[str, Any]:
    """Sign up, verify the address from the worker's email, log in: the login
    body, with the verification token under ``verify_token``."""
    seen = _outbox_names(stack)
    signed_up = call(
        stack.api,
        "POST",
        "/api/v1/auth/register",
        {
            "email": email,
            "password": PASSWORD,
            "display_name": "Smoke",
            "timezone": "UTC",
            "locale": "en",
        },
    )
    assert signed_up.status == 202, signed_up.body
    verify_token = _wait_for_email(stack, "verify-email", seen)
    verified = call(
        stack.api, "POST", "/api/v1/auth/verify-email", {"token": verify_token}
    )
    assert verified.status == 200, verified.body
    logged_in = call(
        stack.api,
        "POST",
        "/api/v1/auth/login",
        {"email": email, "password": PASSWORD},
    )
    assert logged_in.status == 200, logged_in.body
    assert logged_in.body["user"]["email"] == email
    return {**logged_in.body, "verify_token": verify_token}


def _error_shape(reply: Reply) -> None:
    assert reply.status == 400, (reply.status, reply.body)
    assert isinstance(reply.body, dict), reply.body
    assert set(reply.body) == {"error"}
    assert isinstance(reply.body["error"]["code"], str)
    assert isinstance(reply.body["error"]["message"], str)


def _ticket(stack: Stack, access: str) -> str:
    issued = call(stack.api, "POST", "/api/v1/realtime/ticket", token=access)
    assert issued.status == 201, issued.body
    return str(issued.body["ticket"])


# ---------------------------------------------------------------------------
# Tokens never reach a log line (this branch)
# ---------------------------------------------------------------------------
def test_no_token_reaches_the_output_of_any_process(stack):
    session = _sign_up(stack, "smoke-tokens@example.com")
    verify_token = session["verify_token"]

    seen = _outbox_names(stack)
    requested = call(
        stack.api,
        "POST",
        "/api/v1/auth/request-password-reset",
        {"email": "smoke-tokens@example.com"},
    )
    reset_token = _wait_for_email(stack, "reset-password", seen)
    preferences_token = email_preferences_token(
        user=User.objects.get(email="smoke-tokens@example.com")
    )

    # The links' path forms, and the Referer a browser sends from the SPA's page.
    verified = call(
        stack.api,
        "GET",
        f"/api/v1/auth/verify-email/{verify_token}",
        headers={"Referer": f"{FRONTEND}/verify-email/{verify_token}"},
    )
    reset = call(
        stack.api,
        "POST",
        f"/api/v1/auth/reset-password/{reset_token}",
        {"password": NEW_PASSWORD},
        headers={"Referer": f"{FRONTEND}/reset-password/{reset_token}"},
    )
    preferences = call(
        stack.api,
        "GET",
        f"/api/v1/notifications/email-preferences?token={preferences_token}",
    )
    # The same requests reach daphne too (the used reset link answers 400, which
    # Django logs with the path; the verify link answers alike when reopened).
    on_daphne = [
        call(stack.ws, "GET", f"/api/v1/auth/verify-email/{verify_token}").status,
        call(
            stack.ws,
            "POST",
            f"/api/v1/auth/reset-password/{reset_token}",
            {"password": NEW_PASSWORD},
        ).status,
        call(
            stack.ws,
            "GET",
            f"/api/v1/notifications/email-preferences?token={preferences_token}",
        ).status,
    ]
    relogin = call(
        stack.api,
        "POST",
        "/api/v1/auth/login",
        {"email": "smoke-tokens@example.com", "password": NEW_PASSWORD},
    )
    # A websocket ticket travels in the URL too.
    ticket = _ticket(stack, relogin.body["access"])
    with connect(
        f"ws://127.0.0.1:{stack.ws.port}/ws/v1/?ticket={ticket}",
        origin="http://127.0.0.1",
        proxy=None,
        open_timeout=10,
    ) as socket:
        socket.close()

    assert requested.status == 202
    assert verified.status == 200
    assert verified.body["email_verified"] is True
    assert reset.status == 200
    assert preferences.status == 200
    assert on_daphne == [200, 400, 200]
    assert relogin.status == 200
    # Let the last lines reach the files, then read every process's output.
    time.sleep(1)
    output = stack.output()
    for secret in (
        verify_token,
        reset_token,
        preferences_token,
        session["access"],
        session["refresh"],
        relogin.body["access"],
        ticket,
        PASSWORD,
        NEW_PASSWORD,
    ):
        assert secret not in output
    # The access log is there, with the secrets cut out: the check cannot pass
    # by logging nothing.
    api_output = stack.api.output()
    assert "GET /api/v1/auth/verify-email/[redacted] HTTP/1.1" in api_output
    assert "/api/v1/notifications/email-preferences?token=[redacted]" in api_output
    assert "Task kaya.send_email" in stack.worker.output()


# ---------------------------------------------------------------------------
# Idle sockets, hostile bodies, a frozen Redis
# ---------------------------------------------------------------------------
def test_an_idle_socket_stays_open_and_receives_a_push(stack):
    session = _sign_up(stack, "smoke-idle@example.com")
    ticket = _ticket(stack, session["access"])

    with connect(
        f"ws://127.0.0.1:{stack.ws.port}/ws/v1/?ticket={ticket}",
        origin="http://127.0.0.1",
        proxy=None,
        open_timeout=10,
    ) as socket:
        # Longer than the channel layer's blocking read (BZPOPMIN, 5 s) and
        # redis-py's default socket timeout.
        time.sleep(16)
        pushed = call(
            stack.api, "POST", "/api/v1/notifications/test", token=session["access"]
        )
        event = json.loads(socket.recv(timeout=10))

    assert pushed.status == 201
    assert event["type"] == "notification.created"
    assert event["data"]["id"] == pushed.body["id"]


def test_deeply_nested_json_is_a_400(stack):
    depth = 100_000
    body = '{"email": ' + "[" * depth + "]" * depth + ', "password": "x"}'

    _error_shape(call(stack.api, "POST", "/api/v1/auth/login", raw=body.encode()))


def test_a_lone_surrogate_in_a_json_string_is_a_400(stack):
    # A choice field echoes the value in its error message.
    register = (
        b'{"email": "smoke-surrogate@example.com", "password": "a calm river 42", '
        b'"display_name": "S", "timezone": "UTC", "locale": "\\ud800"}'
    )
    login = b'{"email": "\\ud800@example.com", "password": "x"}'

    _error_shape(call(stack.api, "POST", "/api/v1/auth/register", raw=register))
    _error_shape(call(stack.api, "POST", "/api/v1/auth/login", raw=login))


def test_a_non_text_charset_with_a_query_string_is_a_400(stack):
    reply = call(
        stack.api,
        "POST",
        "/api/v1/auth/login?next=1",
        raw=b"{}",
        headers={"Content-Type": "application/json; charset=rot13"},
    )

    _error_shape(reply)


# Last in the module: it freezes the stack's Redis (resumed before it returns).
def test_users_me_answers_within_a_second_while_redis_is_frozen(stack):
    session = _sign_up(stack, "smoke-freeze@example.com")

    stack.redis.process.send_signal(signal.SIGSTOP)
    try:
        me = call(stack.api, "GET", "/api/v1/users/me", token=session["access"])
    finally:
        stack.redis.process.send_signal(signal.SIGCONT)

    assert me.status == 200, me.body
    assert me.body["email"] == "smoke-freeze@example.com"
    assert me.seconds < 1.0


# ---------------------------------------------------------------------------
# A change to a user row reaches every worker at once
# ---------------------------------------------------------------------------
def _spread(stack: Stack, method: str, path: str, token: str) -> list[Reply]:
    """24 requests, 8 at a time: a sync worker serves one at a time, so every
    one of gunicorn's workers serves some of them."""
    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(
            pool.map(lambda _: call(stack.api, method, path, token=token), range(24))
        )


def test_a_user_row_change_reaches_every_worker_at_once(stack):
    me = "/api/v1/users/me"
    session = _sign_up(stack, "smoke-rows@example.com")
    access = session["access"]
    # Every worker remembers the row (AUTH_USER_CACHE_SECONDS defaults to 60
    # with Redis) under the user's version, kept in the stack's Redis.
    assert {reply.status for reply in _spread(stack, "GET", me, access)} == {200}
    user_id = session["user"]["id"]
    versions = redis.Redis(port=stack.redis.port).keys(f"*auth-user:{user_id}:*")
    assert len(versions) == 1, versions

    renamed = call(stack.api, "PATCH", me, {"display_name": "Renamed"}, token=access)
    assert renamed.status == 200, renamed.body
    names = {reply.body["display_name"] for reply in _spread(stack, "GET", me, access)}
    assert names == {"Renamed"}

    revoked = call(stack.api, "POST", "/api/v1/auth/logout-all", token=access)
    assert revoked.status == 204, revoked.body
    refused = _spread(stack, "GET", me, access)
    assert {reply.status for reply in refused} == {401}
    assert {reply.body["error"]["code"] for reply in refused} == {"token_revoked"}
