import pytest
from asgiref.sync import sync_to_async
from channels.layers import channel_layers
from django.db import connections


@pytest.fixture(autouse=True)
async def _close_worker_thread_connections():
    """ORM calls from async code run on asgiref's worker thread, which keeps its
    own database connection; close it so PostgreSQL can drop the test database."""
    yield
    await sync_to_async(connections.close_all)()


@pytest.fixture(autouse=True)
def _fresh_channel_layer():
    """channels-redis keeps one receive lock per layer object, bound to the event
    loop that took it. A consumer left waiting after a refused handshake in one
    test's loop can still hold it when the next test (a new loop) receives, which
    fails with "bound to a different event loop": give each test its own layer.
    Cleared before too: tests outside this package (which this fixture does not
    reach) leave the process's layer holding pools of other loops, such as the
    loop notifications.realtime pushes through."""
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()
