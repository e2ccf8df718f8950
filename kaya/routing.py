"""API routes that answer with and without a trailing slash.

POST, PATCH and DELETE cannot follow an APPEND_SLASH redirect, so both spellings
are routed; the schema documents the form without the slash (the slashed twin is
left out of it).
"""

from __future__ import annotations

from django.urls import URLPattern, path
from rest_framework.views import APIView


def api_path(route: str, view: type[APIView], name: str) -> list[URLPattern]:
    route = route.rstrip("/")
    twin: type[APIView] = type(view.__name__, (view,), {"schema": None})
    return [
        path(route, view.as_view(), name=name),
        path(f"{route}/", twin.as_view(), name=f"{name}-slash"),
    ]
