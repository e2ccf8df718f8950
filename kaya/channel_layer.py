"""The Redis channel layer with a pool that waits for a free connection.

channels-redis builds each pool with ``redis.asyncio.ConnectionPool.from_url``,
whose ``max_connections`` (100 in redis-py 8) is a hard ceiling: the 101st
concurrent command raises ``MaxConnectionsError`` at once. In daphne every
socket's connect and disconnect runs a group_add or group_discard, so a thousand
sockets closing together (a deploy, a proxy restart) made new handshakes answer
500. Here the pool is redis-py's ``BlockingConnectionPool``: the same ceiling
(``CHANNEL_LAYER_MAX_CONNECTIONS``), but a command over it waits up to
``CHANNEL_LAYER_POOL_TIMEOUT`` seconds for a connection to come back.
"""

from __future__ import annotations

from typing import Any

from channels_redis.core import RedisChannelLayer as _RedisChannelLayer
from redis.asyncio import BlockingConnectionPool


class RedisChannelLayer(_RedisChannelLayer):
    def create_pool(self, index: int) -> Any:
        host = dict(self.hosts[index])
        if "address" not in host:  # sentinel or keyword hosts: channels-redis's own
            return super().create_pool(index)
        return BlockingConnectionPool.from_url(host.pop("address"), **host)
