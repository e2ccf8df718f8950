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
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import MaxConnectionsError

from kaya.channel_layer import RedisChannelLayer
from kaya.testing import processes_stop, redis_server_start
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


# The layer's one reader per event loop (kaya.channel_layer): every socket of a
# daphne process waits on one future while a single task pops the shared Redis
# set for all of them.


async def _receive(layer, channel, count: int) -> list[dict]:
    return [await layer.receive(channel) for _ in range(count)]


async def test_sockets_waiting_together_each_get_their_own_messages_and_a_broadcast(
    settings,
):
    layer = _burst_layer(RedisChannelLayer, settings, max_connections=5, timeout=10)
    try:
        channels = [await layer.new_channel() for _ in range(BURST)]
        await asyncio.gather(*(layer.group_add("burst", c) for c in channels))
        # Every receive() waits before anything is sent, as sockets do.
        receivers = [asyncio.ensure_future(_receive(layer, c, 2)) for c in channels]
        await asyncio.sleep(0.1)
        await asyncio.gather(
            *(
                layer.send(c, {"type": "user.event", "n": i})
                for i, c in enumerate(channels)
            )
        )
        await layer.group_send("burst", {"type": "user.event", "n": "all"})
        received = await asyncio.wait_for(asyncio.gather(*receivers), timeout=30)
        # Nothing more for anyone: no socket got another's message twice.
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(
                asyncio.gather(*(layer.receive(c) for c in channels[:3])), timeout=1
            )
    finally:
        await _drop(layer, settings)

    assert received == [
        [{"type": "user.event", "n": i}, {"type": "user.event", "n": "all"}]
        for i in range(BURST)
    ]


async def test_two_receives_on_one_channel_share_its_messages_without_loss(settings):
    layer = _burst_layer(RedisChannelLayer, settings)
    try:
        channel = await layer.new_channel()
        first = asyncio.ensure_future(layer.receive(channel))
        second = asyncio.ensure_future(layer.receive(channel))
        await asyncio.sleep(0.1)
        await layer.send(channel, {"type": "user.event", "n": 1})
        await layer.send(channel, {"type": "user.event", "n": 2})
        received = await asyncio.wait_for(asyncio.gather(first, second), timeout=5)
    finally:
        await _drop(layer, settings)

    assert received == [{"type": "user.event", "n": 1}, {"type": "user.event", "n": 2}]


@pytest.fixture
def own_redis_url(tmp_path):
    """A redis-server of this test's own: its blocked-client count is ours."""
    server = redis_server_start("redis-own", log_dir=tmp_path)
    try:
        yield server, f"redis://127.0.0.1:{server.port}/0"
    finally:
        processes_stop([server])


def _blocked_clients(url: str) -> int:
    return int(redis.Redis.from_url(url).info("clients")["blocked_clients"])


async def _until(check, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if await asyncio.to_thread(check):
            return True
        await asyncio.sleep(0.1)
    return False


async def test_the_reader_leaves_redis_within_one_blocking_pop_after_the_last_receive(
    own_redis_url,
):
    _, url = own_redis_url
    layer = RedisChannelLayer(hosts=[url], prefix="kaya-reader")
    try:
        channel = await layer.new_channel()
        waiting = asyncio.ensure_future(layer.receive(channel))
        assert await _until(lambda: _blocked_clients(url) == 1, seconds=5)

        waiting.cancel()
        # Its connection goes back to the pool once its blocking pop ends.
        gone = await _until(
            lambda: _blocked_clients(url) == 0, seconds=layer.brpop_timeout + 2
        )

        # A later receive starts reading again.
        await layer.send(channel, {"type": "user.event", "n": 1})
        again = await asyncio.wait_for(layer.receive(channel), timeout=5)
    finally:
        await layer.close_pools()

    assert gone
    assert again == {"type": "user.event", "n": 1}


async def test_every_waiting_receive_raises_when_redis_goes_away(own_redis_url):
    server, url = own_redis_url
    layer = RedisChannelLayer(hosts=[url], prefix="kaya-gone")
    try:
        channels = [await layer.new_channel() for _ in range(3)]
        receivers = [asyncio.ensure_future(layer.receive(c)) for c in channels]
        assert await _until(lambda: _blocked_clients(url) == 1, seconds=5)

        await asyncio.to_thread(processes_stop, [server])
        # None is left hanging: daphne closes their sockets and clients
        # reconnect, then catch up over REST.
        _, pending = await asyncio.wait(receivers, timeout=10)
    finally:
        await layer.close_pools()

    assert pending == set()
    assert [type(r.exception()) for r in receivers] == [RedisConnectionError] * 3


async def test_messages_left_unreceived_past_the_expiry_are_dropped(settings):
    """A socket that closed leaves what was read for it: dropped after
    ``expiry``, as Redis would have expired it, so daphne does not grow."""
    layer = _burst_layer(RedisChannelLayer, settings)
    layer.expiry = 1
    try:
        open_channel, closed_channel = [await layer.new_channel() for _ in range(2)]
        for channel in (open_channel, closed_channel):
            await layer.group_add("pair", channel)
        await layer.group_send("pair", {"type": "user.event", "n": 1})
        assert await asyncio.wait_for(layer.receive(open_channel), timeout=5) == {
            "type": "user.event",
            "n": 1,
        }
        await asyncio.sleep(1.5)
        await layer.send(open_channel, {"type": "user.event", "n": 2})
        assert await asyncio.wait_for(layer.receive(open_channel), timeout=5) == {
            "type": "user.event",
            "n": 2,
        }

        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(layer.receive(closed_channel), timeout=1)
    finally:
        await _drop(layer, settings)
