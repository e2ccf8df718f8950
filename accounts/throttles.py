"""Throttles for the anonymous auth endpoints.

They fail open when the cache is unreachable: the login lockout that must hold
is counted in the database (``selectors.login_lockout_retry_after``), so a Redis
outage costs only the per-IP burst limit, never a 500.
"""

from __future__ import annotations

import logging
from typing import Any

from rest_framework.throttling import ScopedRateThrottle
from rest_framework_simplejwt.exceptions import TokenError

from accounts.jwt import FAMILY_CLAIM, FamilyRefreshToken
from kaya.throttles import (
    AnonBurstThrottle,
    AtomicRateThrottle,
    MultiUnitRateMixin,
    UserBurstThrottle,
)

logger = logging.getLogger(__name__)


class FailOpenMixin:
    def allow_request(self, request: Any, view: Any) -> bool:
        try:
            return super().allow_request(request, view)  # type: ignore[misc]
        except Exception:
            logger.warning("throttle cache unavailable; allowing the request")
            return True


class AuthAnonThrottle(FailOpenMixin, AnonBurstThrottle):
    pass


class AuthUserThrottle(FailOpenMixin, UserBurstThrottle):
    pass


class AuthScopedThrottle(FailOpenMixin, MultiUnitRateMixin, ScopedRateThrottle):
    """Per client address, for the scope a view names (``throttle_scope``)."""


AUTH_THROTTLES = [AuthAnonThrottle, AuthUserThrottle, AuthScopedThrottle]


class RefreshFamilyThrottle(AtomicRateThrottle):
    """``POST /auth/refresh``: per login (token family), not per client address.

    Every client refreshes about every 15 minutes, so a per-address budget would
    log out users behind one NAT or mobile carrier gateway. A refresh token that
    verifies (signature and expiry; not forgeable) is counted against its family;
    one that does not is counted against the client address, so garbage cannot
    be sent without limit either. A malformed body raises the parse error here,
    as the view would.
    """

    scope = "auth_refresh"

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        raw = request.data.get("refresh") if hasattr(request.data, "get") else None
        ident = f"address:{self.get_ident(request)}"
        if isinstance(raw, str) and raw:
            try:
                family = FamilyRefreshToken(raw).get(FAMILY_CLAIM)  # type: ignore[arg-type]
            except TokenError:
                family = None
            if family is not None:
                ident = f"family:{family}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
