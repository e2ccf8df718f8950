"""The realtime stack as deployed: real daphne processes, PostgreSQL and the
Redis channel layer (service-backed run only).

These tests take real time on purpose: an idle socket must survive longer than
the channel layer's blocking receive, and a SIGTERM must reach the client as a
close frame.
"""

import json
import time

import pytest

from conftest import bearer
from notifications.tests.servers import daphne_servers, open_socket, request

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]

# Three times channels-redis' 5 s blocking pop: before the fix, the Redis client
# read timed out under it and every idle socket was closed with 1011.
IDLE_SECONDS = 15


def test_idle_sockets_stay_open_and_then_get_their_owners_event_on_any_server(
    user, other_user, tmp_path
):
    token = bearer(user)
    with daphne_servers(tmp_path, count=2) as (server_a, server_b):
        with (
            open_socket(server_a, token) as socket_a,
            open_socket(server_b, token) as socket_b,
            open_socket(server_a, bearer(other_user)) as bystander,
        ):
            time.sleep(IDLE_SECONDS)
            status, created = request(
                "POST", server_b.url("/api/v1/notifications/test"), token
            )
            # Delivered to the other process through Redis, and to this one.
            across = json.loads(socket_a.recv(timeout=10))
            same = json.loads(socket_b.recv(timeout=10))
            with pytest.raises(TimeoutError):
                bystander.recv(timeout=0.5)
            bystander.send(json.dumps({"type": "ping"}))
            pong = json.loads(bystander.recv(timeout=10))
        logs = server_a.log() + server_b.log()

    assert status == 201
    for event in (across, same):
        assert event["type"] == "notification.created"
        assert event["data"]["id"] == created["id"]
        assert event["data"]["title"] == "Test notification"
    assert pong == {"type": "pong", "data": {}}
    assert "Timeout reading from" not in logs
