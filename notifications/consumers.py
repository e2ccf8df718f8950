"""The one websocket per client: ``ws/v1/``.

The socket carries the authenticated user's own stream: it joins the group
that ``realtime.user_group`` names for ``scope["user"]`` and nothing a client
sends can change that. Besides, a client may subscribe to the public channels
of ``realtime.CHANNELS`` (``{"type": "subscribe", "channel": "community.feed"}``),
which carry only what every signed-in user may read anyway. Client frames are
small JSON control messages (``ping``, ``subscribe``, ``unsubscribe``); oversize
frames and floods close the socket, frames that are not JSON text get an error
message. When the server shuts down (daphne
cancels every application on SIGTERM) open sockets are closed with
``CLOSE_SERVER_RESTARTING`` instead of being dropped. Close codes are in
``notifications.realtime``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any, NoReturn

from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from kaya.websocket import ws_session_valid
from notifications import realtime
from notifications.event_schemas import event_validate

logger = logging.getLogger(__name__)

# On shutdown, how long a socket waits for the client to answer its close frame
# (and for its group to be left): well inside daphne's 10 s application close
# timeout and a container's usual 10 s stop grace period.
SHUTDOWN_CLOSE_SECONDS = 2.0


def parse_client_frame(text: str) -> Any:
    """The JSON value of a client text frame; ValueError if it is not JSON text.

    The json module raises RecursionError (not ValueError) on deep nesting such
    as a frame of 4,000 ``[``; and it accepts a lone surrogate (``"\\ud800"``),
    which no UTF-8 encoder accepts later. Both are refused here.
    """
    try:
        content = json.loads(text)
        json.dumps(content, ensure_ascii=False).encode()
    except (RecursionError, UnicodeEncodeError) as exc:
        raise ValueError("not JSON text") from exc
    return content


class _FrameText:
    """The text of the last relayed event's frame.

    A group send reaches every socket of a daphne process as one and the same
    message object (kaya.channel_layer), so the first socket encodes it (and,
    with ``KAYA_VALIDATE_EVENTS``, validates it) and the others reuse the text:
    a broadcast to 500 sockets is encoded once, not 500 times. Holding the
    event keeps its identity from being reused by another object.
    """

    event: Any = None
    text = ""

    @classmethod
    def of(cls, event: Any) -> str:
        if event is not cls.event:
            if settings.KAYA_VALIDATE_EVENTS:
                event_validate(event)
            # What AsyncJsonWebsocketConsumer.encode_json writes, byte for byte.
            cls.text = json.dumps(event)
            cls.event = event
        return cls.text


class MessageRateLimiter:
    """A token bucket: ``capacity`` messages, refilled over ``period`` seconds."""

    def __init__(self, capacity: int, period: float) -> None:
        self.capacity = float(capacity)
        self.refill_per_second = capacity / period
        self.tokens = float(capacity)
        self.updated = time.monotonic()

    def allow(self) -> bool:
        now = time.monotonic()
        elapsed = now - self.updated
        self.updated = now
        self.tokens = min(self.capacity, self.tokens + elapsed * self.refill_per_second)
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


class UserStreamConsumer(AsyncJsonWebsocketConsumer):
    group: str | None = None
    # The public channels (realtime.CHANNELS) this socket subscribed to.
    subscriptions: frozenset[str] = frozenset()
    # True between our accept and the first close or disconnect.
    is_open: bool = False

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        try:
            await super().__call__(scope, receive, send)
        except asyncio.CancelledError:
            # Daphne cancels every application before it stops (SIGTERM); without
            # this the client sees its socket vanish with no close frame (1006),
            # as after a crash.
            if self.is_open:
                await self._close_for_restart(receive)
            raise

    async def _close_for_restart(self, receive: Any) -> None:
        await self.close(code=realtime.CLOSE_SERVER_RESTARTING)
        try:
            await asyncio.wait_for(
                self._finish_close(receive), timeout=SHUTDOWN_CLOSE_SECONDS
            )
        except TimeoutError:
            logger.info("websocket close on shutdown not answered in time")

    async def _finish_close(self, receive: Any) -> None:
        # Wait for the client's answering close frame so that ours has surely
        # gone out before the server drops its connections, then leave the group.
        while (await receive())["type"] != "websocket.disconnect":
            pass
        await self.disconnect(realtime.CLOSE_SERVER_RESTARTING)

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            # Refused before accept: the handshake fails with HTTP 403.
            await self._close_and_stop()
        self.limiter = MessageRateLimiter(
            settings.WEBSOCKET_RATE_MESSAGES, settings.WEBSOCKET_RATE_SECONDS
        )
        self.group = realtime.user_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        # Sessions may have been revoked between the ticket check and the group
        # join, when no close message could reach this socket yet: re-check now.
        still_valid = await database_sync_to_async(ws_session_valid)(
            user_id=user.pk, token_epoch=self.scope.get("token_epoch")
        )
        if not still_valid:
            await self._close_and_stop()
        await self.accept()
        self.is_open = True

    async def close(self, code: int | bool | None = None, reason: Any = None) -> None:
        self.is_open = False
        await super().close(code=code, reason=reason)

    async def _close_and_stop(self, code: int | None = None) -> NoReturn:
        """Close the socket, leave the group and end this consumer at once:
        nothing more is relayed to a closed socket, so it must not keep waiting
        on the channel layer until the server reports the disconnect."""
        await self.close(code=code)
        await self.disconnect(code or 1000)
        raise StopConsumer

    async def disconnect(self, code: int) -> None:
        self.is_open = False
        for channel in self.subscriptions:
            await self.channel_layer.group_discard(
                realtime.channel_group(channel), self.channel_name
            )
        self.subscriptions = frozenset()
        if self.group is not None:
            await self.channel_layer.group_discard(self.group, self.channel_name)
            self.group = None

    async def receive(
        self,
        text_data: str | None = None,
        bytes_data: bytes | None = None,
        **kwargs: Any,
    ) -> None:
        limit = settings.WEBSOCKET_MAX_FRAME_BYTES
        if text_data is not None:
            # A character is at least one byte: skip encoding huge frames. Lone
            # surrogates are counted, not raised on; the parser refuses them.
            size = (
                limit + 1
                if len(text_data) > limit
                else len(text_data.encode("utf-8", "surrogatepass"))
            )
        else:
            size = len(bytes_data or b"")
        if size > limit:
            logger.info("websocket frame too large", extra={"size": size})
            await self._close_and_stop(realtime.CLOSE_FRAME_TOO_LARGE)
        if not self.limiter.allow():
            logger.info("websocket client flooding")
            await self._close_and_stop(realtime.CLOSE_TOO_MANY_MESSAGES)
        if text_data is None:
            await self._send_error("binary_not_supported")
            return
        try:
            content = parse_client_frame(text_data)
        except ValueError:
            await self._send_error("invalid_json")
            return
        await self.receive_json(content)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if not isinstance(content, dict):
            await self._send_error("invalid_message")
            return
        kind = content.get("type")
        if kind == "ping":
            await self.send_json({"type": realtime.PONG, "data": {}})
            return
        if kind in ("subscribe", "unsubscribe"):
            await self._subscription(content.get("channel"), join=kind == "subscribe")
            return
        await self._send_error("unknown_type")

    async def _subscription(self, channel: Any, *, join: bool) -> None:
        """Join or leave a public channel; idempotent. Only the names in
        ``realtime.CHANNELS``: never a user's stream, never a group's."""
        if not isinstance(channel, str) or channel not in realtime.CHANNELS:
            await self._send_error("unknown_channel")
            return
        group = realtime.channel_group(channel)
        if join:
            await self.channel_layer.group_add(group, self.channel_name)
            self.subscriptions = self.subscriptions | {channel}
        else:
            await self.channel_layer.group_discard(group, self.channel_name)
            self.subscriptions = self.subscriptions - {channel}
        answer = realtime.SUBSCRIBED if join else realtime.UNSUBSCRIBED
        await self.send_json({"type": answer, "data": {"channel": channel}})

    async def _send_error(self, code: str) -> None:
        await self.send_json({"type": realtime.ERROR, "data": {"code": code}})

    async def send_json(self, content: Any, close: bool = False) -> None:
        if settings.KAYA_VALIDATE_EVENTS:
            event_validate(content)
        await super().send_json(content, close=close)

    # Channel layer handlers (messages built by notifications.realtime): the
    # user's own events and those of the subscribed channels alike.

    async def dispatch(self, message: dict[str, Any]) -> None:
        # A relayed event touches no database, so it skips what Channels runs
        # before every handler: close_old_connections in the one thread-
        # sensitive sync thread. That hop was 22% of daphne's CPU in a
        # broadcast to 500 sockets (py-spy), and every socket's delivery
        # queued for that single thread. Handlers that do use the database
        # (connect, receive, close) still go through it.
        if message["type"] == "user.event":
            await self.user_event(message)
            return
        await super().dispatch(message)

    async def user_event(self, message: dict[str, Any]) -> None:
        # send_json's frame, encoded once per message (_FrameText) and handed
        # to the server without the generic send's two extra awaits.
        await self.base_send(
            {"type": "websocket.send", "text": _FrameText.of(message["event"])}
        )

    async def user_close(self, message: dict[str, Any]) -> None:
        await self._close_and_stop(message["code"])
