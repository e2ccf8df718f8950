"""Real daphne processes for the service-backed websocket tests.

Built on kaya.testing (the one place that starts the processes we ship): each
server runs the compose ``ws`` command (kaya.wsserver) on a spare 127.0.0.1 port,
in the production shape (DEBUG off), against the test database and the
configured Redis, and is stopped by its process id.
"""

from __future__ import annotations

import json
import signal
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection
from websockets.sync.client import ClientConnection, connect

from kaya.testing import (
    Started,
    daphne_start,
    http,
    process_env,
    processes_stop,
    redis_server_start,
    test_database_url,
    wait_until_serving,
)

ORIGIN = "http://127.0.0.1"


def request(method: str, url: str, token: str | None = None, timeout: float = 10):
    data = b"" if method == "POST" else None
    req = urllib.request.Request(url, method=method, data=data)
    if token:
        req.add_header("Authorization", token)
    with http.open(req, timeout=timeout) as response:
        return response.status, json.loads(response.read() or b"null")


def open_socket(server: Started, token: str) -> ClientConnection:
    """A websocket to ``server`` for the user of the bearer ``token``."""
    status, body = request("POST", server.url("/api/v1/realtime/ticket"), token)
    assert status == 201
    return connect(
        f"ws://127.0.0.1:{server.port}/ws/v1/?ticket={body['ticket']}",
        origin=ORIGIN,  # type: ignore[arg-type]
        proxy=None,
        open_timeout=10,
    )


@contextmanager
def daphne_servers(tmp_path: Path, count: int = 1) -> Iterator[list[Started]]:
    """Start ``count`` daphne processes as deployed and stop them afterwards."""
    env = process_env(
        DATABASE_URL=test_database_url(),
        REDIS_URL=settings.REDIS_URL,
        SECRET_KEY=settings.SECRET_KEY,
        # The production shape: DEBUG off, plain HTTP on 127.0.0.1 (no proxy).
        DEBUG="0",
        SECURE_SSL_REDIRECT="0",
        FIELD_ENCRYPTION_KEYS=",".join(settings.FIELD_ENCRYPTION_KEYS),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        LOG_LEVEL="WARNING",
    )
    servers: list[Started] = []
    try:
        for index in range(count):
            servers.append(daphne_start(f"daphne-{index}", env=env, log_dir=tmp_path))
        for server in servers:
            wait_until_serving(server)
        yield servers
    finally:
        processes_stop(servers)
        # Their pooled connections are gone; ours may be dropped and re-made.
        connection.close()


@contextmanager
def frozen_redis(tmp_path: Path) -> Iterator[str]:
    """A private redis-server that accepts connections but never answers (it is
    SIGSTOPped); yields its URL. Stopped by its process id afterwards."""
    server = redis_server_start("redis-frozen", log_dir=tmp_path)
    try:
        server.process.send_signal(signal.SIGSTOP)
        yield f"redis://127.0.0.1:{server.port}/0"
    finally:
        processes_stop([server])
