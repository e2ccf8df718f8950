"""Throttles for the anonymous auth endpoints.

They fail open when the cache is unreachable: the login lockout that must hold
is counted in the database (``selectors.login_lockout_retry_after``), so a Redis
outage costs only the per-IP burst limit, never a 500.
"""

from __future__ import annotations

import logging
from typing import Any

from rest_framework.throttling import ScopedRateThrottle

from kaya.throttles import AnonBurstThrottle, MultiUnitRateMixin, UserBurstThrottle

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
