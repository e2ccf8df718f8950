"""Reactions to other apps' domain events (connected in NotificationsConfig)."""

from __future__ import annotations

from typing import Any

from notifications import realtime


def sessions_revoked_close_sockets(
    sender: Any, *, user_id: int, reason: str = "", **kwargs: Any
) -> None:
    """Logout-all, password change, deletion: close the user's open sockets."""
    realtime.close_user_sockets(user_id, code=realtime.CLOSE_SESSION_REVOKED)
