"""DRF throttles that accept multi-unit periods such as ``100/15m``."""

from __future__ import annotations

import re

from django.core.exceptions import ImproperlyConfigured
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

_RATE = re.compile(r"^(\d+)/(\d*)([smhd])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str | None) -> tuple[int | None, int | None]:
    if rate is None:
        return (None, None)
    match = _RATE.match(rate.strip())
    if not match:
        raise ImproperlyConfigured(f"Bad throttle rate {rate!r}; use e.g. '100/15m'.")
    count, multiple, unit = match.groups()
    return int(count), int(multiple or 1) * _UNIT_SECONDS[unit]


class MultiUnitRateMixin:
    def parse_rate(self, rate: str | None) -> tuple[int | None, int | None]:
        return parse_rate(rate)


class AnonBurstThrottle(MultiUnitRateMixin, AnonRateThrottle):
    scope = "anon"


class UserBurstThrottle(MultiUnitRateMixin, UserRateThrottle):
    scope = "user"
