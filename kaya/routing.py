"""API routes: every path answers with and without a trailing slash.

POST, PATCH and DELETE cannot follow an APPEND_SLASH redirect, so each route is
one regular expression whose trailing slash is optional; the schema documents
the form without the slash (``strip_trailing_slashes`` below).

- Resources are DRF viewsets registered on an ``ApiRouter``.
- An endpoint that is an action with no resource (log in, refresh a token) is a
  plain ``APIView`` routed with ``api_path``.
"""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern
from django.urls.resolvers import RoutePattern
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView


class ApiRouter(SimpleRouter):
    """A SimpleRouter whose routes accept an optional trailing slash."""

    def __init__(self) -> None:
        super().__init__()
        # SimpleRouter casts its argument to a boolean; the regex goes here.
        self.trailing_slash = "/?"


class OptionalSlashRoutePattern(RoutePattern):
    """``path()``'s pattern, converters and all, with an optional trailing slash.
    Its string (what reverse() and the schema read) is the form without one."""

    def __init__(self, route: str, name: str | None = None, is_endpoint: bool = True):
        super().__init__(route.strip("/"), name, is_endpoint)
        compiled: str = self._regex  # type: ignore[has-type]  # RoutePattern sets it
        self._regex = compiled.removesuffix(r"\Z") + r"/?\Z"


def api_path(route: str, view: type[APIView], name: str) -> URLPattern:
    """One pattern for a plain API view, e.g. ``api_path("auth/login", LoginView,
    "login")``; path converters (``<int:pk>``, ``<str:token>``) work as in
    ``django.urls.path``."""
    return URLPattern(
        OptionalSlashRoutePattern(route, name=name), view.as_view(), name=name
    )


def strip_trailing_slashes(
    endpoints: list[tuple[str, str, str, Any]], **kwargs: Any
) -> list[tuple[str, str, str, Any]]:
    """drf-spectacular preprocessing hook: ``sessions/?`` is documented as
    ``/api/v1/sessions``, the form without the slash."""
    return [
        (path.rstrip("/") if regex.endswith("/?$") else path, regex, method, callback)
        for path, regex, method, callback in endpoints
    ]
