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
"""

from __future__ import annotations

import asyncio
from typing import Any

from daphne.cli import CommandLineInterface
from daphne.server import Server, logger
from twisted.internet import defer


class KayaServer(Server):
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


def main() -> None:
    KayaCommandLine.entrypoint()


if __name__ == "__main__":
    main()
