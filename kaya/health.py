"""Liveness and readiness probes.

``/health`` touches nothing (is the process serving?). ``/health/ready`` checks
each dependency this configuration needs and answers 503 when one is down, so a
load balancer stops routing to an instance that cannot serve.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_cache() -> None:
    key = f"health:{uuid.uuid4().hex}"
    cache.set(key, "ok", timeout=5)
    if cache.get(key) != "ok":
        raise RuntimeError("cache did not return the value it was given")
    cache.delete(key)


def check_channel_layer() -> None:
    layer = get_channel_layer()
    if layer is None:
        raise RuntimeError("no channel layer configured")

    async def round_trip() -> None:
        channel = await layer.new_channel("health.")
        await layer.send(channel, {"type": "health.ping"})
        message = await layer.receive(channel)
        if message.get("type") != "health.ping":
            raise RuntimeError("channel layer returned a different message")

    async_to_sync(round_trip)()


def check_broker() -> None:
    from kaya.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=settings.REDIS_SOCKET_TIMEOUT)


def required_checks() -> dict[str, Callable[[], None]]:
    checks: dict[str, Callable[[], None]] = {
        "database": check_database,
        "cache": check_cache,
        "channel_layer": check_channel_layer,
    }
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        checks["broker"] = check_broker
    return checks


def _run(check: Callable[[], None]) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        check()
    except Exception as exc:  # a probe reports every failure, it never raises
        return {
            "status": "down",
            "error": type(exc).__name__,
            "latency_ms": round((time.perf_counter() - started) * 1000, 1),
        }
    return {
        "status": "up",
        "latency_ms": round((time.perf_counter() - started) * 1000, 1),
    }


@never_cache
@require_GET
def liveness(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readiness(request: HttpRequest) -> JsonResponse:
    results = {name: _run(check) for name, check in required_checks().items()}
    healthy = all(result["status"] == "up" for result in results.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": results},
        status=200 if healthy else 503,
    )
