"""Liveness and readiness probes.

``/health`` touches nothing (is the process serving?). ``/health/ready`` checks
each dependency this configuration needs and answers 503 when one is down, so a
load balancer stops routing to an instance that cannot serve.

The checks run side by side, each on its own thread, and the probe waits at most
``HEALTH_CHECK_TIMEOUT_MS`` for them: a dependency that hangs (a database that
accepts connections and never answers, a frozen Redis) is reported down with
``"error": "TimeoutError"`` instead of holding the probe until the server kills
the worker. A check still running when the probe answers finishes (or times out
on its own client timeout) in the background.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeoutError
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import cache
from django.db import connection, connections
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


def _latency_ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


def _run(check: Callable[[], None]) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        check()
    except Exception as exc:  # a probe reports every failure, it never raises
        return {
            "status": "down",
            "error": type(exc).__name__,
            "latency_ms": _latency_ms(started),
        }
    finally:
        # The check ran on its own thread: close the database connection it
        # opened there, or each probe would leave one behind.
        connections.close_all()
    return {"status": "up", "latency_ms": _latency_ms(started)}


def run_checks(checks: dict[str, Callable[[], None]]) -> dict[str, dict[str, Any]]:
    """Run the checks side by side; any not done within the bound is down."""
    started = time.perf_counter()
    deadline = started + settings.HEALTH_CHECK_TIMEOUT_MS / 1000
    executor = ThreadPoolExecutor(
        max_workers=max(len(checks), 1), thread_name_prefix="health"
    )
    futures = {name: executor.submit(_run, check) for name, check in checks.items()}
    # Do not wait for hung checks on the way out: the probe answers on time.
    executor.shutdown(wait=False)
    results: dict[str, dict[str, Any]] = {}
    for name, future in futures.items():
        try:
            results[name] = future.result(
                timeout=max(deadline - time.perf_counter(), 0)
            )
        except FutureTimeoutError:
            results[name] = {
                "status": "down",
                "error": "TimeoutError",
                "latency_ms": _latency_ms(started),
            }
    return results


@never_cache
@require_GET
def liveness(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readiness(request: HttpRequest) -> JsonResponse:
    results = run_checks(required_checks())
    healthy = all(result["status"] == "up" for result in results.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": results},
        status=200 if healthy else 503,
    )
