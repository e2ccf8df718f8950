"""The Redis channel layer's timeouts (service-backed run only).

Receiving blocks by design (channels-redis waits with a 5 s BZPOPMIN), so its
read timeout must sit above that; sending runs on request paths, so it must give
up fast when Redis hangs.
"""

import asyncio
import copy
import logging
import time
import uuid

import pytest
import redis.asyncio
from channels.layers import channel_layers, get_channel_layer
from channels_redis.core import RedisChannelLayer as UpstreamRedisChannelLayer
from redis.exceptions import MaxConnectionsError

from kaya.channel_layer import RedisChannelLayer
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


BURST = 300


def _burst_layer(backend: type, settings, **pool):
    """A layer of ``backend`` on the suite's Redis with a small pool, under a
    prefix of its own (parallel test processes share the Redis). The sockets
    of one process share one Redis list: room for all the burst's messages."""
    host = dict(settings.CHANNEL_LAYERS["default"]["CONFIG"]["hosts"][0])
    del host["max_connections"], host["timeout"]  # the project's pool settings
    host.update(pool)
    return backend(
        hosts=[host], prefix=f"kaya-burst-{uuid.uuid4().hex}", capacity=3 * BURST
    )


async def _drop(layer, settings) -> None:
    """Delete the burst's keys on a connection of the test's own (the layer's
    pool may still be full), then close the layer's pools."""
    url = settings.CHANNEL_LAYERS["default"]["CONFIG"]["hosts"][0]["address"]
    client = redis.asyncio.Redis.from_url(url)
    keys = [key async for key in client.scan_iter(f"{layer.prefix}*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()
    await layer.close_pools()


async def _burst(layer) -> tuple[list[list[dict]], list[str]]:
    """BURST sockets joining a group, each sent a message, a broadcast to the
    group, then every socket leaving: all at once, as when a deploy drops
    every socket of a daphne process together. Returns what each received."""
    channels = [await layer.new_channel() for _ in range(BURST)]
    await asyncio.gather(*(layer.group_add("burst", c) for c in channels))
    await asyncio.gather(
        *(layer.send(c, {"type": "user.event", "n": i}) for i, c in enumerate(channels))
    )
    await layer.group_send("burst", {"type": "user.event", "n": "all"})
    received = [
        [await asyncio.wait_for(layer.receive(c), timeout=5) for _ in range(2)]
        for c in channels
    ]
    await asyncio.gather(*(layer.group_discard("burst", c) for c in channels))
    return received, channels


async def test_a_burst_over_the_pool_size_waits_for_connections(settings):
    layer = _burst_layer(RedisChannelLayer, settings, max_connections=5, timeout=10)
    try:
        received, channels = await _burst(layer)
        # Everyone left: a broadcast now reaches nobody.
        await layer.group_send("burst", {"type": "user.event", "n": "late"})
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(layer.receive(channels[0]), timeout=1)
    finally:
        await _drop(layer, settings)

    assert received == [
        [{"type": "user.event", "n": i}, {"type": "user.event", "n": "all"}]
        for i in range(BURST)
    ]


async def test_channels_redis_own_pool_fails_the_same_burst(settings):
    """Why kaya.channel_layer exists: channels-redis's own pool refuses the
    command over its size at once. If this starts passing the burst, upstream
    has changed and the subclass can go."""
    layer = _burst_layer(UpstreamRedisChannelLayer, settings, max_connections=5)
    try:
        with pytest.raises(MaxConnectionsError):
            await _burst(layer)
    finally:
        await _drop(layer, settings)
