"""Benchmark-only ceilings and probes, routed only with KAYA_BENCH=1.

`make bench` compares every endpoint with two ceilings served behind the same
middleware: a bare JSON view and a one-primary-key view. The query-count
middleware lets the harness report queries per request without DEBUG.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse

BENCH_USER_ID_HEADER = "HTTP_X_BENCH_USER"


def bench_json(request: HttpRequest) -> JsonResponse:
    """The bare ceiling: no database, no authentication."""
    return JsonResponse({"ok": True})


def bench_one(request: HttpRequest) -> JsonResponse:
    """The unit: one primary-key query, rendered as JSON."""
    user_id = int(request.META.get(BENCH_USER_ID_HEADER, "1") or 1)
    row = (
        get_user_model()
        .objects.filter(pk=user_id)
        .values("id", "email", "display_name", "timezone")
        .first()
    )
    return JsonResponse({"user": row})


class QueryCountMiddleware:
    """Adds X-Bench-Queries: how many SQL statements the request ran."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        count = 0

        def counter(execute: Any, sql: str, params: Any, many: bool, context: Any):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counter):
            response = self.get_response(request)
        response["X-Bench-Queries"] = str(count)
        return response
