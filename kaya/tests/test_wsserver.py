"""kaya.wsserver: daphne's shutdown must reach every websocket application."""

import asyncio
from types import SimpleNamespace

from kaya.wsserver import KayaServer


async def test_shutdown_cancels_every_application_beside_a_finished_http_connection():
    async def websocket_application():
        await asyncio.sleep(3600)

    running = asyncio.ensure_future(websocket_application())
    server = SimpleNamespace(
        connections={
            # An HTTP connection whose response is done but which is still open:
            # daphne has already dropped its application instance.
            "http-keep-alive": {"connected": 0.0},
            "websocket": {"connected": 0.0, "application_instance": running},
        }
    )

    KayaServer.kill_all_applications(server)
    await asyncio.sleep(0)

    assert running.cancelled()
