"""The JSON Schema of every realtime event the server sends on a websocket.

Every frame is ``{"type": <event type>, "data": {...}}``. Server pushes go
through ``realtime.push_to_user`` or ``realtime.push_to_channel`` and the
consumer's own frames (``pong``, ``subscribed``, ``unsubscribed``, ``error``)
through ``UserStreamConsumer.send_json``; with ``settings.KAYA_VALIDATE_EVENTS``
on (the test suite turns it on) both check the frame here first, so an event
whose shape drifts, or a type with no schema, fails the test that emitted it.

Adding an event: name its type in ``notifications.realtime``, add its ``data``
schema to ``DATA_SCHEMAS`` below, and document it in the README's realtime list.
"""

from __future__ import annotations

from typing import Any

import jsonschema

from notifications import realtime
from notifications.models import Notification

# The REST datetime format (DRF's DateTimeField, UTC, "Z"): kaya.timeutils.
INSTANT = {
    "type": "string",
    "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$",
}
DATE = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
ID = {"type": "integer", "minimum": 1}
SECONDS = {"type": "integer", "minimum": 0}


def _object(required: dict[str, Any], optional: dict[str, Any] | None = None) -> Any:
    return {
        "type": "object",
        "properties": {**required, **(optional or {})},
        "required": sorted(required),
        "additionalProperties": False,
    }


AUTHOR = _object({"display_name": {"type": "string"}, "avatar_url": {"type": "string"}})

ERROR_CODES = (
    "invalid_json",
    "invalid_message",
    "unknown_type",
    # A subscribe or unsubscribe naming no channel of realtime.CHANNELS.
    "unknown_channel",
    "binary_not_supported",
    # kaya.websocket: a handshake with no Origin header.
    "origin_required",
)

DATA_SCHEMAS: dict[str, dict[str, Any]] = {
    # The REST representation (notifications.serializers.NotificationOutput).
    realtime.NOTIFICATION_CREATED: _object(
        {
            "id": ID,
            "type": {"enum": list(Notification.Type.values)},
            "title": {"type": "string", "maxLength": 200},
            "body": {"type": "string", "maxLength": 2000},
            "data": {"type": "object"},
            "created_at": INSTANT,
            "read_at": {"anyOf": [INSTANT, {"type": "null"}]},
            "cursor": {"type": "string", "minLength": 1},
        }
    ),
    realtime.SESSION_PROGRESS: _object(
        {
            "session_id": ID,
            "progress_seconds": SECONDS,
            "planned_duration_seconds": SECONDS,
            # The sending player's id, so it can ignore its own echo ("" if none).
            "device_id": {"type": "string"},
        }
    ),
    realtime.SESSION_COMPLETED: _object(
        {
            "session_id": ID,
            "type": {"type": "string", "minLength": 1},
            "duration_seconds": SECONDS,
            "local_date": DATE,
        },
        # Left out in gentle mode (no streak pressure).
        {"current_streak": SECONDS, "longest_streak": SECONDS},
    ),
    # community.services.post_payload / comment_payload: the author as shown to
    # others ("Anonymous" and no avatar for an anonymous post), never an id.
    # A post goes to the other members of its group, or, in no group, to the
    # sockets subscribed to realtime.FEED_CHANNEL.
    realtime.COMMUNITY_POST_CREATED: _object(
        {
            "post_id": ID,
            "group_id": {"anyOf": [ID, {"type": "null"}]},
            "author": AUTHOR,
            "body": {"type": "string"},
            "topics": {"type": "array", "items": {"type": "string"}},
            "created_at": INSTANT,
        }
    ),
    realtime.COMMUNITY_COMMENT_CREATED: _object(
        {
            "comment_id": ID,
            "post_id": ID,
            "parent_id": {"anyOf": [ID, {"type": "null"}]},
            "author": AUTHOR,
            "body": {"type": "string"},
            "created_at": INSTANT,
        }
    ),
    # coaching.services.ai: a streamed chat reply, piece by piece (each piece
    # released only after the safety checks), then the stored reply.
    realtime.AI_CHAT_DELTA: _object(
        {"conversation_id": ID, "delta": {"type": "string", "minLength": 1}}
    ),
    realtime.AI_CHAT_DONE: _object(
        {
            "conversation_id": ID,
            "message_id": ID,
            "body": {"type": "string", "minLength": 1},
            # The fixed safe message replaced the model's text; "crisis" says
            # crisis lines are on the REST reply (support).
            "replaced": {"type": "boolean"},
            "crisis": {"type": "boolean"},
        }
    ),
    realtime.AI_GENERATION_COMPLETED: _object(
        {
            "job_id": ID,
            "kind": {"enum": ["session", "sleep_story"]},
            "status": {"enum": ["succeeded", "failed"]},
            "content_id": {"type": "string", "minLength": 1},
        }
    ),
    # The consumer's answers to the client.
    realtime.PONG: _object({}),
    realtime.SUBSCRIBED: _object({"channel": {"enum": sorted(realtime.CHANNELS)}}),
    realtime.UNSUBSCRIBED: _object({"channel": {"enum": sorted(realtime.CHANNELS)}}),
    realtime.ERROR: _object(
        {"code": {"enum": list(ERROR_CODES)}}, {"message": {"type": "string"}}
    ),
}


class UnknownEventTypeError(ValueError):
    pass


def event_schema(event_type: str) -> dict[str, Any]:
    """The schema of a whole frame of this type; UnknownEventTypeError if the
    type has none."""
    try:
        data = DATA_SCHEMAS[event_type]
    except KeyError:
        raise UnknownEventTypeError(
            f"realtime event type {event_type!r} has no schema in "
            "notifications.event_schemas"
        ) from None
    return _object({"type": {"const": event_type}, "data": data})


def event_validate(event: Any) -> None:
    """Raise if ``event`` (a frame about to be sent) breaks its type's schema:
    jsonschema's ValidationError, or UnknownEventTypeError."""
    if not isinstance(event, dict) or not isinstance(event.get("type"), str):
        raise UnknownEventTypeError(f"not a realtime event: {event!r}")
    jsonschema.validate(event, event_schema(event["type"]))
