"""The websocket middleware stack: origin check, then ticket authentication.

Origins: the one list that also governs REST (CORS_ALLOWED_ORIGINS, exact match,
port included) plus this server's own host names (ALLOWED_HOSTS, any port). A
handshake from any other origin is refused with 403 before any consumer runs.
Browsers always send Origin; a client that sends none (native and mobile apps,
scripts) is refused too, but readably: the handshake is accepted, one
``{"type": "error", "data": {"code": "origin_required", "message": ...}}`` frame
is sent and the socket closes with 4003, without running any consumer or using
up the ticket. Such clients send ``Origin:`` with this server's own URL.

Authentication: the client first calls ``POST /api/v1/realtime/ticket`` with its
JWT and then connects with ``?ticket=...``. A ticket is random, single use and
lives 30 s in the cache (Redis in production, so every server process sees it);
JWTs never appear in URLs. ``scope["user"]`` is the ticket's user, or anonymous.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.security.websocket import OriginValidator
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache

from kaya.exceptions import ServiceUnavailableError

if TYPE_CHECKING:
    from accounts.models import User

TICKET_TTL_SECONDS = 30
_TICKET_KEY_PREFIX = "ws-ticket:"
_TICKET_MAX_LENGTH = 128


def allowed_origins() -> list[str]:
    # A host name without a scheme matches that host on any scheme and port (as
    # Channels' AllowedHostsOriginValidator does); a full origin such as
    # https://app.kaya.example must match exactly, port included.
    hosts = [host for host in settings.ALLOWED_HOSTS if host != "*"]
    return [*settings.CORS_ALLOWED_ORIGINS, *hosts]


def _ticket_key(ticket: str) -> str:
    # Only a hash of the ticket is stored, so the cache never holds a usable one.
    return _TICKET_KEY_PREFIX + hashlib.sha256(ticket.encode()).hexdigest()


def ws_ticket_issue(*, user: User) -> str:
    """Mint a single-use websocket ticket for ``user``, valid for 30 s.

    Raises ServiceUnavailableError (503) when the cache cannot store it."""
    ticket = secrets.token_urlsafe(32)
    claim = {
        "user_id": user.pk,
        "token_epoch": user.token_epoch,
        "expires_at": time.time() + TICKET_TTL_SECONDS,
    }
    # add() reports whether it stored the claim (set() does not, on every
    # backend): with the cache unreachable its errors are ignored, and a ticket
    # that was never stored must not be handed out as if it would work.
    if not cache.add(_ticket_key(ticket), claim, timeout=TICKET_TTL_SECONDS):
        raise ServiceUnavailableError()
    return ticket


def ws_ticket_consume(ticket: str) -> dict[str, Any] | None:
    """Use a ticket up: its claim, or None if unknown, expired or already used."""
    if not ticket or len(ticket) > _TICKET_MAX_LENGTH:
        return None
    key = _ticket_key(ticket)
    claim = cache.get(key)
    if claim is None:
        return None
    # Two connects may race with the same ticket and both read the claim; only
    # the one whose delete removed the key wins (Redis DEL is atomic and reports
    # how many keys it removed; the local-memory cache deletes under a lock).
    if not cache.delete(key):
        return None
    # The cache expires the key; the stamp also holds when a clock is frozen.
    if claim["expires_at"] <= time.time():
        return None
    return dict(claim)


def _live_session_users(*, user_id: int, token_epoch: int) -> Any:
    """The user, if they still exist, are active and have not revoked the
    sessions of that token epoch (logout-all, password change, deletion)."""
    return get_user_model().objects.filter(
        pk=user_id, is_active=True, token_epoch=token_epoch
    )


def ws_session_valid(*, user_id: int, token_epoch: int | None) -> bool:
    """The user still exists, is active and has not revoked their sessions."""
    if token_epoch is None:
        return False
    return _live_session_users(user_id=user_id, token_epoch=token_epoch).exists()


@database_sync_to_async
def _user_for_ticket(ticket: str) -> tuple[Any, int | None]:
    claim = ws_ticket_consume(ticket)
    if claim is None:
        return AnonymousUser(), None
    user = _live_session_users(
        user_id=claim["user_id"], token_epoch=claim["token_epoch"]
    ).first()
    if user is None:
        return AnonymousUser(), None
    return user, claim["token_epoch"]


class TicketAuthMiddleware:
    """Set ``scope["user"]`` from a ``?ticket=`` query parameter (else anonymous).

    ``scope["token_epoch"]`` records the session epoch the ticket was issued
    under, so a consumer can re-check it after joining its groups.
    """

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        query = parse_qs(scope.get("query_string", b"").decode("latin1"))
        ticket = (query.get("ticket") or [""])[0]
        user, token_epoch = (
            await _user_for_ticket(ticket) if ticket else (AnonymousUser(), None)
        )
        scope = {**scope, "user": user, "token_epoch": token_epoch}
        return await self.inner(scope, receive, send)


CLOSE_ORIGIN_REQUIRED = 4003
ORIGIN_REQUIRED_MESSAGE = (
    "This websocket needs an Origin header. Browsers send one; other clients "
    "send this server's own URL, e.g. 'Origin: https://api.example.com'."
)


class KayaOriginValidator(OriginValidator):
    """Channels' validator, with a readable refusal for a missing Origin.

    Daphne answers a refused handshake with a bare 403 and cannot carry a body,
    so a client with no Origin gets the handshake, one error frame and a 4003
    close instead; the application behind is never called.
    """

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        has_origin = any(name == b"origin" for name, _ in scope.get("headers", []))
        if has_origin or "*" in self.allowed_origins:
            return await super().__call__(scope, receive, send)
        message = await receive()
        if message["type"] != "websocket.connect":
            return None
        await send({"type": "websocket.accept"})
        error = {"code": "origin_required", "message": ORIGIN_REQUIRED_MESSAGE}
        await send(
            {
                "type": "websocket.send",
                "text": json.dumps({"type": "error", "data": error}),
            }
        )
        await send({"type": "websocket.close", "code": CLOSE_ORIGIN_REQUIRED})
        return None


def websocket_stack(inner: Any) -> Any:
    return KayaOriginValidator(TicketAuthMiddleware(inner), allowed_origins())
