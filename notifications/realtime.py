"""The one place that names websocket groups and sends to them.

Other apps never call the channel layer directly: their services call
``push_to_user`` (one user's sockets) or ``push_to_channel`` (every socket
subscribed to a public channel such as the community feed) from
``transaction.on_commit``.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.conf import settings

logger = logging.getLogger(__name__)

# Event types a client may receive: {"type": <one of these>, "data": {...}}.
NOTIFICATION_CREATED = "notification.created"
ACHIEVEMENT_UNLOCKED = "achievement.unlocked"
SESSION_PROGRESS = "session.progress"
SESSION_COMPLETED = "session.completed"
COMMUNITY_POST_CREATED = "community.post.created"
COMMUNITY_COMMENT_CREATED = "community.comment.created"
AI_CHAT_DELTA = "ai.chat.delta"
AI_CHAT_DONE = "ai.chat.done"
AI_GENERATION_COMPLETED = "ai.generation.completed"
# Sent by the consumer itself: the answer to a client's ping, to a subscribe or
# unsubscribe, and a refused frame.
PONG = "pong"
SUBSCRIBED = "subscribed"
UNSUBSCRIBED = "unsubscribed"
ERROR = "error"
# Every frame sent has a JSON Schema: notifications.event_schemas.

# Close codes the server sends. Daphne (autobahn) lets an application close only
# with 1000 or 3000-4999 and turns anything else into 1011, so ours live in the
# application range 4000-4999; 40xx mirrors the standard 10xx where there is one.
# Documented in the README and on the realtime ticket operation of the schema.
CLOSE_SESSION_REVOKED = 4001  # log in again before reconnecting
CLOSE_TOO_MANY_MESSAGES = 4008  # policy violation (1008): client flooded
CLOSE_FRAME_TOO_LARGE = 4009  # message too big (1009): over the frame limit
CLOSE_SERVER_RESTARTING = 4012  # service restart (1012): reconnect with backoff

CLOSE_CODES = {
    CLOSE_SESSION_REVOKED: "sessions revoked (logout-all, password change, "
    "deletion): log in again before reconnecting",
    CLOSE_TOO_MANY_MESSAGES: "too many messages from the client",
    CLOSE_FRAME_TOO_LARGE: "client frame over `WEBSOCKET_MAX_FRAME_BYTES`",
    CLOSE_SERVER_RESTARTING: "server restarting (deploy, scale-down)",
}
# The realtime section of the OpenAPI description (on the ticket operation).
CLOSE_CODES_MARKDOWN = (
    "Websocket close codes: "
    + "; ".join(f"`{code}` {meaning}" for code, meaning in CLOSE_CODES.items())
    + ". On any close other than 4001, and on a dropped connection, reconnect "
    "with a new ticket after an exponential backoff with jitter (1 s doubling "
    "to 60 s), then catch up with `GET /api/v1/notifications/?after=<cursor of "
    "the last notification received>`. Frames that are not JSON objects get "
    '`{"type": "error", "data": {"code": "invalid_json"}}` (or '
    "`invalid_message`, `unknown_type`, `unknown_channel`, "
    "`binary_not_supported`) and the socket stays open. Public channels: send "
    '`{"type": "subscribe", "channel": "community.feed"}` (answered with '
    '`{"type": "subscribed", "data": {"channel": "community.feed"}}`) to receive '
    "`community.post.created` for every new post outside the groups; "
    '`{"type": "unsubscribe", "channel": ...}` leaves it. Subscriptions last as '
    "long as the socket: subscribe again after a reconnect."
)


# Public channels a socket may join with {"type": "subscribe", "channel": ...}:
# each carries only what every signed-in user may read anyway. A user's own
# stream needs no subscription, and no frame can reach another user's.
FEED_CHANNEL = "community.feed"  # community.post.created of posts in no group
CHANNELS = frozenset({FEED_CHANNEL})


def user_group(user_id: int) -> str:
    return f"user.{int(user_id)}"


def channel_group(channel: str) -> str:
    """The channel-layer group of a public channel (one of ``CHANNELS``)."""
    if channel not in CHANNELS:
        raise ValueError(f"unknown realtime channel {channel!r}")
    return f"channel.{channel}"


_loop: asyncio.AbstractEventLoop | None = None
_loop_lock = threading.Lock()


def _push_loop() -> asyncio.AbstractEventLoop:
    """One event loop per process, on a daemon thread, for pushes from sync code.

    channels-redis keeps its connection pool per event loop: ``async_to_sync``
    from a gunicorn worker or a Celery task runs each call on a fresh loop, so
    every push opened (and dropped) a new Redis connection. Sending through one
    long-lived loop reuses the pool.
    """
    global _loop
    with _loop_lock:
        if _loop is None or _loop.is_closed():
            loop = asyncio.new_event_loop()
            threading.Thread(
                target=loop.run_forever, name="kaya-realtime-push", daemon=True
            ).start()
            _loop = loop
        return _loop


def _group_send(group: str, message: dict[str, Any]) -> bool:
    layer = get_channel_layer()
    if layer is None:
        return False
    try:
        if isinstance(layer, InMemoryChannelLayer):
            # The in-memory layer's queues belong to the consumers' own loop;
            # it is only for one process (development, tests), where this is cheap.
            async_to_sync(layer.group_send)(group, message)
        else:
            # A send on a connection a restarted Redis closed is retried once
            # by the layer's pool (the `retry` in CHANNEL_LAYERS).
            future = asyncio.run_coroutine_threadsafe(
                layer.group_send(group, message), _push_loop()
            )
            try:
                # The layer's Redis read timeout sits above its blocking receive
                # (see CHANNEL_LAYERS); a send runs on a request path and must
                # give up fast when Redis hangs (REALTIME_SEND_TIMEOUT_MS).
                future.result(timeout=settings.REALTIME_SEND_TIMEOUT)
            except FutureTimeout:
                future.cancel()
                raise
    except Exception:
        logger.warning(
            "realtime send failed", extra={"event": message["type"]}, exc_info=True
        )
        return False
    return True


def push_to_user(user_id: int, event_type: str, data: dict[str, Any]) -> bool:
    """Send one event to every open socket of the user.

    Best effort: the stored row (e.g. a Notification) is the source of truth and
    clients catch up over REST after a reconnect, so a channel layer outage is
    logged, never raised into the request that caused the event. With
    ``settings.KAYA_VALIDATE_EVENTS`` (tests) an event that breaks its JSON
    Schema, or has none, raises instead of being sent.
    """
    return _group_send(user_group(user_id), _event_message(event_type, data))


def push_to_channel(channel: str, event_type: str, data: dict[str, Any]) -> bool:
    """Send one event to every socket subscribed to the public ``channel`` (one
    of ``CHANNELS``). Best effort, like ``push_to_user``: subscribers catch up
    over REST (the community feed) after a reconnect."""
    return _group_send(channel_group(channel), _event_message(event_type, data))


def _event_message(event_type: str, data: dict[str, Any]) -> dict[str, Any]:
    """The channel-layer message that makes each receiving consumer send the
    frame ``{"type": event_type, "data": data}`` (``UserStreamConsumer.user_event``)."""
    event = {"type": event_type, "data": data}
    if settings.KAYA_VALIDATE_EVENTS:
        from notifications.event_schemas import event_validate

        event_validate(event)
    return {"type": "user.event", "event": event}


def close_user_sockets(user_id: int, code: int = CLOSE_SESSION_REVOKED) -> bool:
    """Close every open socket of the user (logout-all, password change, ...).

    Best effort like ``push_to_user``; sockets opened from a ticket minted before
    the revocation are refused anyway, because the consumer re-checks the
    user's token epoch after joining the group.
    """
    return _group_send(user_group(user_id), {"type": "user.close", "code": code})
