"""The websocket middleware stack: origin check, then authentication.

Browsers always send Origin on a websocket handshake; a handshake with none, or
from an origin that is neither one of ALLOWED_HOSTS nor listed in
WEBSOCKET_ALLOWED_ORIGINS (the SPA), is refused before any consumer runs.
"""

from __future__ import annotations

from typing import Any

from channels.security.websocket import OriginValidator
from django.conf import settings


def allowed_origins() -> list[str]:
    origins = list(settings.WEBSOCKET_ALLOWED_ORIGINS)
    for host in settings.ALLOWED_HOSTS:
        if host == "*":
            continue
        origins += [f"http://{host.lstrip('.')}", f"https://{host.lstrip('.')}"]
        if host.startswith("."):
            origins += [f"http://{host}", f"https://{host}"]
    return origins


def websocket_stack(inner: Any) -> Any:
    return OriginValidator(inner, allowed_origins())
