"""Several server processes share one channel layer (service-backed run only).

Two real ASGI servers (daphne) run against the test database and Redis: a
socket connected to one receives a notification created through an HTTP
request to the other.
"""

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from websockets.sync.client import connect

from conftest import bearer
from kaya.testing import free_port, test_database_url

ROOT = Path(__file__).resolve().parents[2]
# No proxy from the environment may stand between us and 127.0.0.1.
_http = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _request(method, url, token=None, timeout=10):
    data = b"" if method == "POST" else None
    request = urllib.request.Request(url, method=method, data=data)
    if token:
        request.add_header("Authorization", token)
    with _http.open(request, timeout=timeout) as response:
        return response.status, json.loads(response.read() or b"null")


def _wait_until_serving(port, process, log_path, deadline_seconds=60):
    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"daphne exited early:\n{log_path.read_text()[-3000:]}")
        try:
            with _http.open(f"http://127.0.0.1:{port}/health", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.3)
    pytest.fail(f"daphne on {port} did not start:\n{log_path.read_text()[-3000:]}")


@pytest.fixture
def two_servers(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_SETTINGS_MODULE", "KAYA_SERVER"}
    }
    env.update(
        DATABASE_URL=test_database_url(),
        REDIS_URL=settings.REDIS_URL,
        SECRET_KEY=settings.SECRET_KEY,
        DEBUG="1",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        LOG_LEVEL="WARNING",
        PYTHONDONTWRITEBYTECODE="1",
    )
    servers = []
    try:
        for name in ("a", "b"):
            port = free_port()
            log_path = tmp_path / f"daphne-{name}.log"
            log = log_path.open("w")
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "daphne",
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
            servers.append((port, process, log, log_path))
        for port, process, _, log_path in servers:
            _wait_until_serving(port, process, log_path)
        yield [port for port, *_ in servers]
    finally:
        for _, process, _, _ in servers:
            process.terminate()
        for _, process, log, _ in servers:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
            log.close()
        # Their pooled connections are gone; ours may be dropped and re-made.
        connection.close()


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_socket_on_one_server_gets_a_notification_made_through_another(
    user, other_user, two_servers
):
    port_a, port_b = two_servers
    token = bearer(user)
    ticket_url = f"http://127.0.0.1:{port_a}/api/v1/realtime/ticket"
    _, mine = _request("POST", ticket_url, token)
    _, theirs = _request("POST", ticket_url, bearer(other_user))

    with (
        connect(
            f"ws://127.0.0.1:{port_a}/ws/v1/?ticket={mine['ticket']}",
            origin="http://127.0.0.1",
            proxy=None,
            open_timeout=10,
        ) as socket_a,
        connect(
            f"ws://127.0.0.1:{port_a}/ws/v1/?ticket={theirs['ticket']}",
            origin="http://127.0.0.1",
            proxy=None,
            open_timeout=10,
        ) as bystander,
    ):
        # The sockets are open; their group joins are done before accept.
        status, created = _request(
            "POST", f"http://127.0.0.1:{port_b}/api/v1/notifications/test", token
        )
        event = json.loads(socket_a.recv(timeout=10))
        with pytest.raises(TimeoutError):
            bystander.recv(timeout=0.5)

    assert status == 201
    assert event["type"] == "notification.created"
    assert event["data"]["id"] == created["id"]
    assert event["data"]["title"] == "Test notification"
