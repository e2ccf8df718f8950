"""The one websocket per client: ``ws/v1/``.

The socket only ever carries the authenticated user's own stream: it joins the
group that ``realtime.user_group`` names for ``scope["user"]`` and nothing a
client sends can change that. Client frames are small JSON control messages
(``{"type": "ping"}``); oversize frames and floods close the socket.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from kaya.websocket import ws_session_valid
from notifications import realtime

logger = logging.getLogger(__name__)

CLOSE_POLICY_VIOLATION = 1008  # flooding
CLOSE_MESSAGE_TOO_BIG = 1009  # oversize frame


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

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            # Refused before accept: the handshake fails with HTTP 403.
            await self.close()
            return
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
            await self.channel_layer.group_discard(self.group, self.channel_name)
            self.group = None
            await self.close()
            return
        await self.accept()

    async def disconnect(self, code: int) -> None:
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
            # A character is at least one byte: skip encoding huge frames.
            size = limit + 1 if len(text_data) > limit else len(text_data.encode())
        else:
            size = len(bytes_data or b"")
        if size > limit:
            logger.info("websocket frame too large", extra={"size": size})
            await self.close(code=CLOSE_MESSAGE_TOO_BIG)
            return
        if not self.limiter.allow():
            logger.info("websocket client flooding")
            await self.close(code=CLOSE_POLICY_VIOLATION)
            return
        if text_data is None:
            await self._send_error("binary_not_supported")
            return
        try:
            content = json.loads(text_data)
        except ValueError:
            await self._send_error("invalid_json")
            return
        await self.receive_json(content)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if not isinstance(content, dict):
            await self._send_error("invalid_message")
            return
        if content.get("type") == "ping":
            await self.send_json({"type": "pong", "data": {}})
            return
        # There is nothing to subscribe to: the stream is always scope["user"]'s.
        await self._send_error("unknown_type")

    async def _send_error(self, code: str) -> None:
        await self.send_json({"type": "error", "data": {"code": code}})

    # Channel layer handlers (messages built by notifications.realtime).

    async def user_event(self, message: dict[str, Any]) -> None:
        await self.send_json(message["event"])

    async def user_close(self, message: dict[str, Any]) -> None:
        await self.close(code=message["code"])
