"""API routes that answer with and without a trailing slash.

POST, PATCH and DELETE cannot follow an APPEND_SLASH redirect, so both spellings
are routed; the schema documents the form without the slash (the slashed twin is
left out of it).
"""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, path


def api_path(route: str, view: Any, name: str) -> list[URLPattern]:
    route = route.rstrip("/")
    twin: Any = type(view.__name__, (view,), {"schema": None})
    return [
        path(route, view.as_view(), name=name),
        path(f"{route}/", twin.as_view(), name=f"{name}-slash"),
    ]
