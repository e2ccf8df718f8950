"""The Redis channel layer: a pool that waits, and one reader per process.

The pool. channels-redis builds each pool with
``redis.asyncio.ConnectionPool.from_url``, whose ``max_connections`` (100 in
redis-py 8) is a hard ceiling: the 101st concurrent command raises
``MaxConnectionsError`` at once. In daphne every socket's connect and disconnect
runs a group_add or group_discard, so a thousand sockets closing together (a
deploy, a proxy restart) made new handshakes answer 500. Here the pool is
redis-py's ``BlockingConnectionPool``: the same ceiling
(``CHANNEL_LAYER_MAX_CONNECTIONS``), but a command over it waits up to
``CHANNEL_LAYER_POOL_TIMEOUT`` seconds for a connection to come back.

The reader. Every socket of a daphne process receives on a process-local
channel (``specific.<client prefix>!<id>``), and all of them share one Redis
sorted set (``specific.<client prefix>!``); a group send to 500 local sockets
is one entry there naming the 500 channels. channels-redis lets whichever
``receive()`` holds its receive lock pop that set, and every other socket waits
on that lock: per message and socket two new tasks and an ``asyncio.wait``, and
on a broadcast all of them wake to race for the lock again (43% of daphne's
event loop in a broadcast to 500, task creation another 19%). Here one reader
task per event loop pops the set and hands each message to the waiting
``receive()`` calls of its channels; a ``receive()`` is one future. The reader
pops up to ``READ_BATCH`` waiting messages per round trip, keeping them in
channels-redis's in-flight backup until they are handed over (a reader that
starts puts back what an earlier one left there), and otherwise waits in
channels-redis's blocking pop (BZPOPMIN).

The reader holds one pool connection, as channels-redis's lock holder does: in a
blocking pop of at most ``brpop_timeout`` (5 s) at a time, and only while some
``receive()`` waits, so it stops within 5 s of the last one leaving and never
starves the pool's senders. If a read fails (Redis gone) every waiting
``receive()`` raises that error, as each would have in turn upstream: daphne
then closes those sockets, and clients reconnect and catch up over REST.
Messages that arrive for a channel nobody is receiving on right now are kept
(up to ``capacity``, oldest dropped first, as upstream) for ``expiry`` seconds,
the time they would have lived in Redis.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import time
from typing import Any

from channels_redis.core import RedisChannelLayer as _RedisChannelLayer
from redis.asyncio import BlockingConnectionPool

logger = logging.getLogger(__name__)

_NOTHING = object()

# Messages one reader pops per round trip when several wait.
READ_BATCH = 100

# channels-redis's own clean-up: the in-flight backup goes back in front of the
# channel's messages, in order.
_RESTORE_BACKUP = """
    local backed_up = redis.call('ZRANGE', ARGV[2], 0, -1, 'WITHSCORES')
    for i = #backed_up, 1, -2 do
        redis.call('ZADD', ARGV[1], backed_up[i], backed_up[i - 1])
    end
    redis.call('DEL', ARGV[2])
"""
# ARGV: the channel's key, its backup, how many to pop, then the members
# delivered since the last call (dropped from the backup). Returns the popped
# members and scores, oldest first, each kept in the backup until delivered.
_POP_BATCH = """
    if #ARGV > 3 then
        redis.call('ZREM', ARGV[2], unpack(ARGV, 4))
    end
    local popped = redis.call('ZPOPMIN', ARGV[1], ARGV[3])
    for i = 1, #popped, 2 do
        redis.call('ZADD', ARGV[2], popped[i + 1], popped[i])
    end
    return popped
"""


class RedisChannelLayer(_RedisChannelLayer):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Messages read for each process-local channel, not yet received.
        self._buffers: dict[str, collections.deque[dict[str, Any]]] = {}
        # When each buffer was last added to (time.monotonic()).
        self._buffered_at: dict[str, float] = {}
        # The futures of the receive() calls waiting on each channel, oldest first.
        self._waiters: dict[str, collections.deque[asyncio.Future[None]]] = {}
        # How many receive() calls wait on channels of each shared Redis key.
        self._waiting: collections.Counter[str] = collections.Counter()
        # The reader task of each shared Redis key (its non-local channel name).
        self._readers: dict[str, asyncio.Task[None]] = {}
        self._swept_at = time.monotonic()

    def create_pool(self, index: int) -> Any:
        host = dict(self.hosts[index])
        if "address" not in host:  # sentinel or keyword hosts: channels-redis's own
            return super().create_pool(index)
        return BlockingConnectionPool.from_url(host.pop("address"), **host)

    async def receive(self, channel: str) -> dict[str, Any]:
        if "!" not in channel:
            return await super().receive(channel)  # type: ignore[no-any-return]
        assert self.require_valid_channel_name(channel)
        shared = self.non_local_name(channel)
        assert shared.endswith(self.client_prefix + "!"), "Wrong client prefix"
        message = self._take(channel)
        if message is not _NOTHING:
            return message  # type: ignore[return-value]
        loop = asyncio.get_running_loop()
        self._reader_start(shared, loop)
        self._waiting[shared] += 1
        waiter: asyncio.Future[None] = loop.create_future()
        self._waiters.setdefault(channel, collections.deque()).append(waiter)
        try:
            while True:
                await waiter
                message = self._take(channel)
                if message is not _NOTHING:
                    return message  # type: ignore[return-value]
                # Another receive() on the same channel took it first.
                waiter = loop.create_future()
                self._waiters.setdefault(channel, collections.deque()).append(waiter)
        except asyncio.CancelledError:
            # Woken for a message but cancelled before taking it: pass the
            # wake-up on, so the message is not left waiting for the next one.
            if waiter.done() and not waiter.cancelled() and channel in self._buffers:
                self._wake(channel)
            raise
        finally:
            self._waiting[shared] -= 1
            if self._waiting[shared] <= 0:
                del self._waiting[shared]
            waiters = self._waiters.get(channel)
            if waiters is not None:
                if waiter in waiters:
                    waiters.remove(waiter)
                if not waiters:
                    del self._waiters[channel]

    def _take(self, channel: str) -> Any:
        buffer = self._buffers.get(channel)
        if not buffer:
            return _NOTHING
        message = buffer.popleft()
        if not buffer:
            del self._buffers[channel]
            del self._buffered_at[channel]
        return message

    def _wake(self, channel: str) -> None:
        waiters = self._waiters.get(channel)
        while waiters:
            waiter = waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return

    def _reader_start(self, shared: str, loop: asyncio.AbstractEventLoop) -> None:
        reader = self._readers.get(shared)
        if reader is not None and not reader.done():
            reader_loop = reader.get_loop()
            if reader_loop is loop:
                return
            if reader_loop.is_running() and self._waiting[shared] > 0:
                raise RuntimeError(
                    "Two event loops are trying to receive() on one channel "
                    "layer at once!"
                )
            # A reader left on a finished loop never runs again: replace it.
        self._readers[shared] = loop.create_task(
            self._read(shared), name=f"channel layer reader {shared}"
        )

    async def _read(self, shared: str) -> None:
        me = asyncio.current_task()
        key = self.prefix + shared
        backup = self._backup_channel_name(key)
        index = self.consistent_hash(shared)
        try:
            # What an earlier reader popped but never delivered goes back first.
            await self.connection(index).eval(_RESTORE_BACKUP, 0, key, backup)
            delivered: list[bytes] = []
            while True:
                connection = self.connection(index)
                # Drops the last batch from the backup and pops the next one:
                # one round trip for up to READ_BATCH waiting messages.
                popped = await connection.eval(
                    _POP_BATCH, 0, key, backup, READ_BATCH, *delivered
                )
                delivered = popped[0::2]
                if not delivered:
                    # Stop with the backup empty, and with no await between
                    # this check and leaving _readers: a receive() arriving
                    # after it starts a new reader.
                    if self._readers.get(shared) is not me or not self._waiting[shared]:
                        break
                    result = await connection.bzpopmin(key, timeout=self.brpop_timeout)
                    if result is not None:
                        _, member, score = result
                        await connection.zadd(backup, {member: float(score)})
                        delivered = [member]
                for member in delivered:
                    message = self.deserialize(member)
                    self._deliver(message.pop("__asgi_channel__"), message)
                self._sweep()
        except Exception as error:
            logger.warning("channel layer read failed", exc_info=True)
            self._fail_waiters(shared, error)
        finally:
            if self._readers.get(shared) is me:
                del self._readers[shared]

    def _deliver(self, channels: str | list[str], message: dict[str, Any]) -> None:
        now = time.monotonic()
        for channel in [channels] if isinstance(channels, str) else channels:
            buffer = self._buffers.get(channel)
            if buffer is None:
                buffer = self._buffers[channel] = collections.deque(
                    maxlen=self.capacity
                )
            buffer.append(message)
            self._buffered_at[channel] = now
            if channel in self._waiters:
                self._wake(channel)

    def _sweep(self) -> None:
        """Drop what waited longer than ``expiry`` for a channel nobody
        receives on (its socket closed): Redis would have expired it too."""
        now = time.monotonic()
        if now - self._swept_at < self.expiry:
            return
        self._swept_at = now
        for channel, at in list(self._buffered_at.items()):
            if now - at > self.expiry and channel not in self._waiters:
                del self._buffers[channel], self._buffered_at[channel]

    def _fail_waiters(self, shared: str, error: Exception) -> None:
        for channel, waiters in list(self._waiters.items()):
            if self.non_local_name(channel) != shared:
                continue
            for waiter in waiters:
                if not waiter.done():
                    waiter.set_exception(error)

    async def close_pools(self) -> None:
        # Stop this loop's readers first: each holds a pool connection.
        loop = asyncio.get_running_loop()
        stopped = []
        for shared, reader in list(self._readers.items()):
            if reader.get_loop() is loop:
                reader.cancel()
                await asyncio.wait([reader])
                stopped.append(shared)
            if self._readers.get(shared) is reader:
                del self._readers[shared]
        await super().close_pools()
        # receive() calls still waiting read on through a new pool, as each
        # would upstream with its next command.
        for shared in stopped:
            if self._waiting[shared] > 0:
                self._reader_start(shared, loop)
