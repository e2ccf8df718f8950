"""The Redis channel layer's timeouts (service-backed run only).

Receiving blocks by design (channels-redis waits with a 5 s BZPOPMIN), so its
read timeout must sit above that; sending runs on request paths, so it must give
up fast when Redis hangs.
"""

import asyncio
import copy
import logging
import time

import pytest
from channels.layers import channel_layers, get_channel_layer

from notifications import realtime
from notifications.tests.servers import frozen_redis

pytestmark = pytest.mark.redis


async def test_a_receive_outlasts_the_layers_blocking_pop():
    layer = get_channel_layer()
    channel = await layer.new_channel()

    # Longer than one 5 s blocking pop: a client read timeout at or under it
    # raised redis' TimeoutError here instead of waiting on.
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(layer.receive(channel), timeout=7)

    await layer.send(channel, {"type": "user.event", "event": {"n": 1}})
    assert await asyncio.wait_for(layer.receive(channel), timeout=5) == {
        "type": "user.event",
        "event": {"n": 1},
    }
    await layer.close_pools()


PROGRESS = {
    "session_id": 1,
    "progress_seconds": 30,
    "planned_duration_seconds": 600,
    "device_id": "",
}


def test_a_push_gives_up_within_the_realtime_send_timeout_when_redis_hangs(
    settings, tmp_path, caplog
):
    with frozen_redis(tmp_path) as url:
        layers = copy.deepcopy(settings.CHANNEL_LAYERS)
        layers["default"]["CONFIG"]["hosts"][0]["address"] = url
        settings.CHANNEL_LAYERS = layers
        channel_layers.backends.clear()
        started = time.monotonic()
        with caplog.at_level(logging.WARNING, logger="notifications.realtime"):
            delivered = realtime.push_to_user(7, realtime.SESSION_PROGRESS, PROGRESS)
        elapsed = time.monotonic() - started

    assert delivered is False
    assert settings.REALTIME_SEND_TIMEOUT == 0.5
    assert (
        settings.REALTIME_SEND_TIMEOUT <= elapsed < settings.REALTIME_SEND_TIMEOUT + 1
    )
    assert [record.getMessage() for record in caplog.records] == [
        "realtime send failed"
    ]
