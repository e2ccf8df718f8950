"""Real daphne processes for the service-backed websocket tests.

Each server binds a spare 127.0.0.1 port, runs against the test database and
the configured Redis, and is stopped by its process id.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from websockets.sync.client import ClientConnection, connect

from kaya.testing import free_port, test_database_url

ROOT = Path(__file__).resolve().parents[2]
ORIGIN = "http://127.0.0.1"
# No proxy from the environment may stand between us and 127.0.0.1.
_http = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass
class Daphne:
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def log(self) -> str:
        return self.log_path.read_text()


def request(method: str, url: str, token: str | None = None, timeout: float = 10):
    data = b"" if method == "POST" else None
    req = urllib.request.Request(url, method=method, data=data)
    if token:
        req.add_header("Authorization", token)
    with _http.open(req, timeout=timeout) as response:
        return response.status, json.loads(response.read() or b"null")


def open_socket(server: Daphne, token: str) -> ClientConnection:
    """A websocket to ``server`` for the user of the bearer ``token``."""
    status, body = request("POST", server.url("/api/v1/realtime/ticket"), token)
    assert status == 201
    return connect(
        f"ws://127.0.0.1:{server.port}/ws/v1/?ticket={body['ticket']}",
        origin=ORIGIN,  # type: ignore[arg-type]
        proxy=None,
        open_timeout=10,
    )


def _server_env() -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_SETTINGS_MODULE", "KAYA_SERVER"}
    }
    env.update(
        DATABASE_URL=test_database_url(),
        REDIS_URL=settings.REDIS_URL,
        SECRET_KEY=settings.SECRET_KEY,
        # The production shape: DEBUG off, plain HTTP on 127.0.0.1 (no proxy).
        DEBUG="0",
        SECURE_SSL_REDIRECT="0",
        FIELD_ENCRYPTION_KEYS=",".join(settings.FIELD_ENCRYPTION_KEYS),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        LOG_LEVEL="WARNING",
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def _wait_until_serving(server: Daphne, deadline_seconds: float = 60) -> None:
    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(f"daphne exited early:\n{server.log()[-3000:]}")
        try:
            with _http.open(server.url("/health"), timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.3)
    pytest.fail(f"daphne on {server.port} did not start:\n{server.log()[-3000:]}")


def stop(server: Daphne) -> None:
    if server.process.poll() is None:
        server.process.terminate()
    try:
        server.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait(timeout=10)


@contextmanager
def daphne_servers(tmp_path: Path, count: int = 1) -> Iterator[list[Daphne]]:
    """Start ``count`` daphne processes on kaya.asgi, as deployed (through
    kaya.wsserver), and stop them afterwards."""
    env = _server_env()
    servers: list[Daphne] = []
    logs: list[Any] = []
    try:
        for index in range(count):
            port = free_port()
            log_path = tmp_path / f"daphne-{index}.log"
            log = log_path.open("w")
            logs.append(log)
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "kaya.wsserver",
                    "-b",
                    "127.0.0.1",
                    "-p",
                    str(port),
                    "kaya.asgi:application",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            servers.append(Daphne(port, process, log_path))
        for server in servers:
            _wait_until_serving(server)
        yield servers
    finally:
        for server in servers:
            stop(server)
        for log in logs:
            log.close()
        # Their pooled connections are gone; ours may be dropped and re-made.
        connection.close()


@contextmanager
def frozen_redis(tmp_path: Path) -> Iterator[str]:
    """A private redis-server that accepts connections but never answers (it is
    SIGSTOPped); yields its URL. Killed by its process id afterwards."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is not installed")
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", ""],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("redis-server did not start")
                time.sleep(0.1)
        process.send_signal(signal.SIGSTOP)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.kill()
        process.wait(timeout=10)
