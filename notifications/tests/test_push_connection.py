"""Pushes from sync code (gunicorn workers, Celery tasks) reuse one Redis
connection pool per process instead of opening a connection per push."""

import pytest
import redis
from asgiref.sync import async_to_sync
from channels.layers import channel_layers, get_channel_layer

from kaya.testing import processes_stop, redis_server_start
from notifications import realtime


@pytest.fixture
def own_redis(settings, tmp_path):
    """A redis-server of this test's own, so its connection counter is ours."""
    server = redis_server_start("redis-own", log_dir=tmp_path)
    try:
        settings.CHANNEL_LAYERS = {
            "default": {
                "BACKEND": "kaya.channel_layer.RedisChannelLayer",
                "CONFIG": {"hosts": [f"redis://127.0.0.1:{server.port}/0"]},
            }
        }
        channel_layers.backends.clear()
        yield redis.Redis(port=server.port, socket_timeout=1)
    finally:
        channel_layers.backends.clear()
        processes_stop([server])


def _progress(session_id: int) -> dict:
    return {
        "session_id": session_id,
        "progress_seconds": 30,
        "planned_duration_seconds": 600,
        "device_id": "",
    }


def _connections_opened(client) -> int:
    return int(client.info("stats")["total_connections_received"])


@pytest.mark.redis
def test_pushes_from_sync_code_reuse_one_channel_layer_connection(own_redis):
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(realtime.user_group(7), channel)
    assert realtime.push_to_user(7, realtime.SESSION_PROGRESS, _progress(1))
    before = _connections_opened(own_redis)

    for n in range(2, 7):
        assert realtime.push_to_user(7, realtime.SESSION_PROGRESS, _progress(n))

    assert _connections_opened(own_redis) == before

    async def receive_all():
        return [(await layer.receive(channel))["event"] for _ in range(6)]

    received = async_to_sync(receive_all)()
    assert [event["data"]["session_id"] for event in received] == [1, 2, 3, 4, 5, 6]
