"""Who is calling, as facts a service may record: never the request object itself."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any

from django.conf import settings


def client_ip(request: Any) -> str | None:
    """The caller's address, trusting X-Forwarded-For only behind our own proxies.

    With TRUSTED_PROXY_COUNT = N > 0, the client is the Nth entry from the right
    (each trusted proxy appends the address it saw); entries further left were
    written by the client and are ignored. With 0 the header is never read, so a
    client cannot choose its own identity (the same rule as DRF's NUM_PROXIES).
    """
    meta = getattr(request, "META", {})
    candidate = meta.get("REMOTE_ADDR")
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = meta.get("HTTP_X_FORWARDED_FOR")
    if proxies > 0 and forwarded:
        addresses = [part.strip() for part in forwarded.split(",") if part.strip()]
        if addresses:
            candidate = addresses[-min(proxies, len(addresses))]
    try:
        return str(ipaddress.ip_address(candidate)) if candidate else None
    except ValueError:
        return None


@dataclass(frozen=True)
class RequestContext:
    ip: str | None = None
    user_agent: str = ""
    request_id: str = ""

    @classmethod
    def from_request(cls, request: Any) -> RequestContext:
        meta = getattr(request, "META", {})
        return cls(
            ip=client_ip(request),
            user_agent=str(meta.get("HTTP_USER_AGENT", ""))[:255],
            request_id=str(getattr(request, "request_id", "") or "")[:128],
        )


EMPTY_CONTEXT = RequestContext()
