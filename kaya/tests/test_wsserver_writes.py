"""kaya.wsserver.eager_write: a frame leaves at once; what the socket cannot
take yet follows, in order, on Twisted's own queued path."""

import asyncio
import socket
from types import SimpleNamespace

from twisted.internet import asyncioreactor, error, tcp
from twisted.internet.protocol import Protocol
from twisted.python.failure import Failure

from kaya.wsserver import eager_write


def _server_connection(loop):
    ours, theirs = socket.socketpair()
    ours.setblocking(False)
    ours.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    reactor = asyncioreactor.AsyncioSelectorReactor(loop)
    port = SimpleNamespace(_realPortNumber=8001)
    connection = tcp.Server(ours, Protocol(), ("127.0.0.1", 1), port, 1, reactor)
    return connection, theirs


def _read_all(peer, size: int, loop) -> bytes:
    """Read ``size`` bytes, turning the loop so queued data gets written."""
    peer.setblocking(False)
    received = b""
    for _ in range(2000):
        try:
            received += peer.recv(1 << 20)
        except BlockingIOError:
            loop.run_until_complete(asyncio.sleep(0.001))
        if len(received) >= size:
            break
    return received


def test_a_small_write_is_on_the_wire_before_the_loop_turns():
    loop = asyncio.new_event_loop()
    connection, peer = _server_connection(loop)
    try:
        eager_write(connection, b'{"type": "pong", "data": {}}')

        peer.settimeout(1)
        assert peer.recv(100) == b'{"type": "pong", "data": {}}'
        assert connection.dataBuffer == b""
        assert connection._tempDataBuffer == []
    finally:
        connection.connectionLost(Failure(error.ConnectionDone()))
        peer.close()
        loop.close()


def test_what_the_socket_cannot_take_yet_follows_in_order():
    loop = asyncio.new_event_loop()
    connection, peer = _server_connection(loop)
    big = bytes(range(256)) * 8192  # 2 MiB, far over the socket's buffers
    try:
        eager_write(connection, big)
        # Queued behind the rest of the first write, never before it.
        eager_write(connection, b"after")

        received = _read_all(peer, len(big) + 5, loop)
    finally:
        connection.connectionLost(Failure(error.ConnectionDone()))
        peer.close()
        loop.close()

    assert received == big + b"after"
