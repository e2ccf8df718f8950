"""The realtime stack as deployed: real daphne processes, PostgreSQL and the
Redis channel layer (service-backed run only).

These tests take real time on purpose: an idle socket must survive longer than
the channel layer's blocking receive, and a SIGTERM must reach the client as a
close frame.
"""

import json
import signal
import subprocess
import time

import pytest
from websockets.exceptions import ConnectionClosed

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
        logs = server_a.output() + server_b.output()

    assert status == 201
    for event in (across, same):
        assert event["type"] == "notification.created"
        assert event["data"]["id"] == created["id"]
        assert event["data"]["title"] == "Test notification"
    assert pong == {"type": "pong", "data": {}}
    assert "Timeout reading from" not in logs


def _close_code(socket) -> int | None:
    """The code of the close frame the server sent; None if it sent none."""
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            socket.recv(timeout=10)
    return None if closed.value.rcvd is None else closed.value.rcvd.code


def test_sigterm_closes_open_sockets_with_the_restart_code(user, tmp_path):
    with daphne_servers(tmp_path) as (server,):
        with open_socket(server, bearer(user)) as socket:
            server.process.send_signal(signal.SIGTERM)
            code = _close_code(socket)
        try:
            returncode = server.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            returncode = None
        log = server.output()

    assert code == 4012, log
    assert returncode == 0, log


def test_hostile_frames_get_documented_answers_never_1011(user, tmp_path):
    token = bearer(user)
    with daphne_servers(tmp_path) as (server,):
        with open_socket(server, token) as socket:
            socket.send("[" * 4096)
            nested = json.loads(socket.recv(timeout=10))
            socket.send('{"type": "\\ud800"}')
            surrogate = json.loads(socket.recv(timeout=10))
            socket.send(json.dumps({"type": "ping"}))
            pong = json.loads(socket.recv(timeout=10))
            socket.send("x" * 4097)
            oversize = _close_code(socket)
        with open_socket(server, token) as socket:
            # A raw lone surrogate is not UTF-8: daphne's websocket layer
            # (autobahn) refuses the frame itself and drops the connection
            # without a close frame; the application never sees it.
            socket.send(b"\xed\xa0\x80", text=True)
            not_utf8 = _close_code(socket)
        with open_socket(server, token) as socket:
            for _ in range(21):
                socket.send(json.dumps({"type": "ping"}))
            flooding = _close_code(socket)
        log = server.output()

    invalid_json = {"type": "error", "data": {"code": "invalid_json"}}
    assert nested == invalid_json
    assert surrogate == invalid_json
    assert pong == {"type": "pong", "data": {}}
    assert oversize == 4009
    assert not_utf8 is None
    assert flooding == 4008
    assert "Exception inside application" not in log
    assert "invalid close code" not in log
