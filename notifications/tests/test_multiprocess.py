"""Several server processes share one channel layer (service-backed run only).

Two real ASGI servers (daphne) run against the test database and Redis: a
socket connected to one receives a notification created through an HTTP
request to the other.
"""

import json
import urllib.request

import pytest
from django.conf import settings
from django.db import connection
from websockets.sync.client import connect

from conftest import bearer
from kaya.testing import (
    daphne_start,
    http,
    process_env,
    processes_stop,
    test_database_url,
    wait_until_serving,
)


def _request(method, url, token=None, timeout=10):
    data = b"" if method == "POST" else None
    request = urllib.request.Request(url, method=method, data=data)
    if token:
        request.add_header("Authorization", token)
    with http.open(request, timeout=timeout) as response:
        return response.status, json.loads(response.read() or b"null")


@pytest.fixture
def two_servers(tmp_path):
    env = process_env(
        DATABASE_URL=test_database_url(),
        REDIS_URL=settings.REDIS_URL,
        SECRET_KEY=settings.SECRET_KEY,
        DEBUG="1",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        LOG_LEVEL="WARNING",
    )
    servers = []
    try:
        for name in ("a", "b"):
            servers.append(daphne_start(f"daphne-{name}", env=env, log_dir=tmp_path))
        for server in servers:
            wait_until_serving(server)
        yield [server.port for server in servers]
    finally:
        processes_stop(servers)
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
