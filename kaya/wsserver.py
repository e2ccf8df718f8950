"""The websocket server: daphne with a shutdown that reaches every socket.

Run it as daphne itself, same arguments:
``python -m kaya.wsserver -b 0.0.0.0 -p 8001 kaya.asgi:application``.

On SIGTERM daphne cancels every application before it stops, and the consumer
then closes its socket with the "server restarting" code (4012). Daphne 4.2's
``kill_all_applications`` reads ``details["application_instance"]`` for every
connection, though an HTTP connection whose response is done but which is still
open (a keep-alive or one still closing, e.g. right after a health check) has
none: the KeyError aborted the shutdown trigger, no application was cancelled
and every websocket was dropped without a close frame (1006 at the client).

Writes go out at once (``eager_write``). Twisted queues every write and sends
it on the loop's next turn, after registering the socket for writability and
then unregistering it: two epoll changes, a poll wake-up and some Python per
frame. In a broadcast to 500 sockets that was about 30% of daphne's samples
(py-spy), and no socket got its frame before the whole fan-out was done.
asyncio's own transports send at once when nothing is queued; so does this.

The garbage collector is tuned for a process that holds thousands of long-lived
sockets and makes many short-lived objects per frame (``GC_THRESHOLDS``): with
Python's defaults, a broadcast to 500 sockets with 1,000 open ran hundreds of
young collections and several full ones of 300,000+ objects (each a pause of
hundreds of ms for every socket). What is loaded at start (Django, the
application) is frozen out of every collection.
"""

from __future__ import annotations

import asyncio
import gc
from typing import Any

from daphne.cli import CommandLineInterface
from daphne.server import Server, logger
from twisted.internet import defer, tcp

# gc.set_threshold: a young collection every 10,000 net allocations instead of
# 700, and the middle one every 20 of those. Measured on daphne alone, 500
# subscribers and 1,000 sockets open: 74 -> 42 ms CPU per broadcast, 1.55 ->
# 1.05 ms per push, full collections 5 -> 1 over the run.
GC_THRESHOLDS = (10_000, 20, 10)


class KayaServer(Server):
    def run(self) -> None:
        # The application is imported by now: keep it out of every collection.
        gc.collect()
        gc.freeze()
        gc.set_threshold(*GC_THRESHOLDS)
        super().run()

    def kill_all_applications(self) -> Any:
        wait_for = []
        for details in list(self.connections.values()):
            instance = details.get("application_instance")
            if instance is not None and not instance.done():
                instance.cancel()
                wait_for.append(instance)
        logger.info("Killed %i pending application instances", len(wait_for))
        # Twisted waits for the applications (each closing its socket) to end.
        wait_deferred = defer.Deferred.fromFuture(asyncio.gather(*wait_for))
        wait_deferred.addErrback(lambda _failure: None)
        return wait_deferred


class KayaCommandLine(CommandLineInterface):
    server_class = KayaServer


# Twisted's own write (TLS-aware, queueing), taken before main() replaces it.
_queued_write = tcp.Server.write


def eager_write(connection: Any, data: bytes) -> None:
    """``write`` for a server-side TCP connection: send what the socket takes
    now when nothing is queued before it; queue the rest, as Twisted does
    (its next writable turn sends it, or reports a lost connection)."""
    if (
        type(data) is bytes
        and data
        and connection.connected
        and not connection.TLS
        and not connection._writeDisconnected
        and not connection.dataBuffer
        and not connection._tempDataBuffer
    ):
        # A registered producer (twisted.web's HTTP channel stays one on an
        # upgraded websocket) is paused only when data queues up, which this
        # path leaves to Twisted's own write below.
        sent = connection.writeSomeData(data)
        if isinstance(sent, int) and sent > 0:
            if sent == len(data):
                return
            data = data[sent:]
    _queued_write(connection, data)


def main() -> None:
    # Only in this process: server-side connections write eagerly.
    tcp.Server.write = eager_write  # type: ignore[method-assign, assignment]
    KayaCommandLine.entrypoint()


if __name__ == "__main__":
    main()
