"""Helpers for tests: real server or worker processes, and a user's live events.

The commands come from the files we ship (the Dockerfile CMD and the compose
services), so a test runs what production runs and cannot drift from it. Every
process binds 127.0.0.1 on a spare port and is stopped by its process id.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import yaml
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
# The console scripts (gunicorn, daphne, celery) of the running interpreter.
BIN_DIR = Path(sys.executable).parent
# No proxy from the environment may stand between a test and 127.0.0.1.
http = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def prepared_statements(like: str) -> list[str]:
    """The statements prepared on this test's PostgreSQL connection whose text
    matches the SQL LIKE pattern ``like`` (``kaya.db.planned_once_cursor``)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s",
            [like],
        )
        return [row[0] for row in cursor.fetchall()]


def prepared_plans(like: str) -> list[tuple[str, int, int]]:
    """Of the statements ``prepared_statements(like)`` finds: each one's name
    (for ``EXPLAIN EXECUTE``) and how many times PostgreSQL ran it on a
    generic plan and on a custom one."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, generic_plans, custom_plans FROM pg_prepared_statements "
            "WHERE statement LIKE %s",
            [like],
        )
        return [tuple(row) for row in cursor.fetchall()]  # type: ignore[misc]


def prepared_plan(name: str, *params: Any) -> str:
    """The plan PostgreSQL runs the prepared statement ``name`` (from
    ``prepared_plans``) with for ``params`` (numbers: written into the
    ``EXPLAIN EXECUTE``), as text."""
    if not all(type(param) is int for param in params):
        raise TypeError("prepared_plan takes integer parameters only")
    values = ", ".join(str(param) for param in params)
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN EXECUTE {connection.ops.quote_name(name)}({values})")
        return "\n".join(row[0] for row in cursor.fetchall())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_database_url() -> str:
    """A DATABASE_URL for the test database (pytest-django's ``test_...`` name),
    so a subprocess sees the rows this test committed."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return (
        f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        f"/{db['NAME']}"
    )


test_database_url.__test__ = False  # type: ignore[attr-defined]  # not a test


# ---------------------------------------------------------------------------
# The shipped command lines and environment
# ---------------------------------------------------------------------------
def compose_file() -> dict[str, Any]:
    return dict(yaml.safe_load((ROOT / "docker-compose.yml").read_text()))


def dockerfile_command() -> list[str]:
    """The Dockerfile's exec-form CMD."""
    match = re.search(
        r"^CMD\s+(\[.*\])\s*$", (ROOT / "Dockerfile").read_text(), re.MULTILINE
    )
    assert match, "the Dockerfile has no exec-form CMD"
    return list(json.loads(match.group(1)))


def compose_command(service: str) -> list[str]:
    return list(compose_file()["services"][service]["command"])


def compose_environment(**overrides: str) -> dict[str, str]:
    """The app services' environment in docker-compose.yml, with overrides.

    ``${NAME:-default}`` takes its default; ``${NAME:?...}`` (required) and
    values naming compose's own hosts must come in ``overrides``.
    """
    app = compose_file()["x-app"]["environment"]
    env: dict[str, str] = {}
    for key, value in app.items():
        value = str(value)
        default = re.fullmatch(r"\$\{\w+:-([^}]*)\}", value)
        if default:
            value = default.group(1)
        env[key] = value
    env.update(overrides)
    unresolved = sorted(key for key, value in env.items() if "${" in value)
    assert not unresolved, f"give these in overrides: {unresolved}"
    return env


def with_option(command: list[str], option: str, value: str) -> list[str]:
    """``command`` with the value after ``option`` replaced (it must be there)."""
    index = command.index(option)
    return [*command[: index + 1], value, *command[index + 2 :]]


def executable(command: list[str]) -> list[str]:
    """The console script named first, taken from this interpreter's bin dir."""
    path = BIN_DIR / command[0]
    found = str(path) if path.exists() else shutil.which(command[0])
    assert found, f"{command[0]} is not installed"
    return [found, *command[1:]]


def process_env(**overrides: str) -> dict[str, str]:
    """This environment without the test run's settings choices, plus overrides."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_SETTINGS_MODULE", "KAYA_SERVER"}
    }
    env.update(PYTHONDONTWRITEBYTECODE="1", PYTHONUNBUFFERED="1")
    env.update(overrides)
    return env


# ---------------------------------------------------------------------------
# Processes
# ---------------------------------------------------------------------------
@dataclass
class Started:
    """A process started by a test, with its combined stdout and stderr."""

    name: str
    process: subprocess.Popen[bytes]
    log_path: Path
    port: int | None = None
    _log: Any = field(default=None, repr=False)

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def tail(self, size: int = 3000) -> str:
        return self.output()[-size:]


def process_start(
    name: str,
    command: list[str],
    *,
    env: Mapping[str, str],
    log_dir: Path,
    port: int | None = None,
) -> Started:
    log_path = log_dir / f"{name}.log"
    log = log_path.open("wb")
    # The commands are the ones we ship, read from our own files.
    process = subprocess.Popen(  # noqa: S603
        command, cwd=ROOT, env=dict(env), stdout=log, stderr=subprocess.STDOUT
    )
    return Started(name, process, log_path, port, log)


def process_stop(started: Started, *, timeout: float = 15) -> None:
    """Stop by process id: TERM, then KILL if it lingers; resume it first in
    case a test left it stopped."""
    processes_stop([started], timeout=timeout)


def processes_stop(started: Iterable[Started], *, timeout: float = 15) -> None:
    """Stop several processes by id, in the order given, all at the same time:
    each gets TERM before any is waited for."""
    running = list(started)
    for each in running:
        if each.process.poll() is None:
            each.process.send_signal(signal.SIGCONT)
            each.process.terminate()
    deadline = time.monotonic() + timeout
    for each in running:
        try:
            each.process.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            each.process.kill()
            each.process.wait(timeout=10)
        if each._log is not None:
            each._log.close()


def wait_until(
    ready: Any, started: Started, *, what: str, deadline_seconds: float = 60
) -> None:
    """Poll ``ready()`` until it is true; fail with the process's output if the
    process exits or the deadline passes."""
    import pytest

    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline:
        if started.process.poll() is not None:
            pytest.fail(f"{started.name} exited early:\n{started.tail()}")
        if ready():
            return
        time.sleep(0.3)
    pytest.fail(f"{started.name} did not {what}:\n{started.tail()}")


def wait_until_serving(started: Started, *, deadline_seconds: float = 60) -> None:
    """Wait until the server answers ``GET /health`` with 200."""

    def serving() -> bool:
        try:
            url = f"http://127.0.0.1:{started.port}/health"
            with http.open(url, timeout=2) as response:
                return bool(response.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    wait_until(serving, started, what="start", deadline_seconds=deadline_seconds)


def daphne_start(
    name: str, *, env: Mapping[str, str], log_dir: Path, port: int | None = None
) -> Started:
    """The compose ``ws`` command (daphne), on 127.0.0.1 and a spare port."""
    port = port or free_port()
    command = with_option(compose_command("ws"), "--bind", "127.0.0.1")
    command = with_option(command, "--port", str(port))
    return process_start(name, executable(command), env=env, log_dir=log_dir, port=port)


def gunicorn_start(
    name: str, *, env: Mapping[str, str], log_dir: Path, port: int | None = None
) -> Started:
    """The Dockerfile CMD (gunicorn), on 127.0.0.1 and a spare port."""
    port = port or free_port()
    command = with_option(dockerfile_command(), "--bind", f"127.0.0.1:{port}")
    # gunicorn's control socket goes under XDG_RUNTIME_DIR: one per test, not
    # the one in $HOME that every gunicorn of this user would share.
    env = {**env, "XDG_RUNTIME_DIR": str(log_dir)}
    return process_start(name, executable(command), env=env, log_dir=log_dir, port=port)


def celery_worker_start(
    name: str, *, env: Mapping[str, str], log_dir: Path, extra: Iterable[str] = ()
) -> Started:
    """The compose ``worker`` command (a Celery worker), plus ``extra`` options."""
    command = [*compose_command("worker"), *extra]
    return process_start(name, executable(command), env=env, log_dir=log_dir)


@contextmanager
def celery_worker_running(log_dir: Path, **env: str) -> Iterator[Started]:
    """A real Celery worker (the shipped command) on the test database and
    broker, with this process publishing tasks to the broker instead of running
    them inline; on exit the worker is stopped by id and eager mode restored.

    The worker writes emails as files to ``log_dir / "outbox"``, runs the
    offline AI provider, and takes ``env`` on top of that.
    """
    from django.conf import settings

    from kaya.celery import app

    environment = process_env(
        DATABASE_URL=test_database_url(),
        REDIS_URL=settings.REDIS_URL,
        CELERY_BROKER_URL=settings.CELERY_BROKER_URL,
        CELERY_TASK_ALWAYS_EAGER="0",
        SECRET_KEY=settings.SECRET_KEY,
        FIELD_ENCRYPTION_KEYS=",".join(settings.FIELD_ENCRYPTION_KEYS),
        GEMINI_API_KEY="",
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(log_dir / "outbox"),
        KAYA_VAR_DIR=str(log_dir / "var"),
    )
    environment.update(env)
    # One in-process pool, no gossip or mingle: it starts faster in a test.
    started = celery_worker_start(
        "worker",
        env=environment,
        log_dir=log_dir,
        extra=[
            "--pool=solo",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ],
    )
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        yield started
    finally:
        app.conf.task_always_eager = eager
        process_stop(started)


def wait_until_worker_ready(started: Started, *, deadline_seconds: float = 60) -> None:
    wait_until(
        lambda: " ready." in started.output(),
        started,
        what="become ready",
        deadline_seconds=deadline_seconds,
    )


def redis_server_start(name: str, *, log_dir: Path, port: int | None = None) -> Started:
    """A private redis-server on a spare port (for tests that freeze or kill it);
    ``port`` brings one back where a stopped one was."""
    server = shutil.which("redis-server")
    assert server, "redis-server is not installed (apt-get install redis-server)"
    port = port or free_port()
    command = [
        server,
        "--bind",
        "127.0.0.1",
        "--port",
        str(port),
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        str(log_dir),
    ]
    started = process_start(
        name, command, env=process_env(), log_dir=log_dir, port=port
    )

    def answering() -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    wait_until(answering, started, what="answer PING", deadline_seconds=20)
    return started


def user_events(user_id: int, *, quiet_seconds: float = 0.2) -> Callable[[], list[Any]]:
    """Listen to a user's realtime group on the configured channel layer.

    Returns a function that collects the events pushed to the user since the
    last call, until the layer stays quiet for ``quiet_seconds``.
    """
    import asyncio

    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    from notifications import realtime

    layer = get_channel_layer()
    assert layer is not None
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(realtime.user_group(user_id), channel)

    async def drain() -> list[Any]:
        events: list[Any] = []
        while True:
            try:
                message = await asyncio.wait_for(layer.receive(channel), quiet_seconds)
            except TimeoutError:
                return events
            events.append(message["event"])

    return lambda: async_to_sync(drain)()


def redis_commands_sent(monkeypatch: Any) -> list[str]:
    """The name of every command written to a Redis socket from now on."""
    from redis.connection import Connection

    sent: list[str] = []
    send = Connection.send_packed_command

    def recorded(self: Any, command: Any, check_health: bool = True) -> Any:
        chunks = [command] if isinstance(command, (bytes, str)) else command
        data = b"".join(c.encode() if isinstance(c, str) else bytes(c) for c in chunks)
        sent.append(data.split(b"\r\n")[2].decode().upper())
        return send(self, command, check_health)

    monkeypatch.setattr(Connection, "send_packed_command", recorded)
    return sent
