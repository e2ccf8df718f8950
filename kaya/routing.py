"""API routes: every path answers with and without a trailing slash.

POST, PATCH and DELETE cannot follow an APPEND_SLASH redirect, so each route is
one regular expression whose trailing slash is optional; the schema documents
the form without the slash (``strip_trailing_slashes`` below).

- Resources are DRF viewsets registered on an ``ApiRouter``.
- An endpoint that is an action with no resource (log in, refresh a token) is a
  plain ``APIView`` routed with ``api_path``.
- The API's routes are included with ``remembered_include``, which resolves
  each path once per process.
"""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, URLResolver
from django.urls.resolvers import ResolverMatch, RoutePattern
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


# Enough for every list path and the hot detail paths of a worker; when full,
# the memory is simply emptied (paths with ids come and go). A late route's
# match holds about 13 kB (its ``tried`` list names each pattern tried before
# it), so at most ~3.3 MB, well inside a worker's memory budget.
RESOLVED_PATHS_MAX = 256


class RememberingResolver(URLResolver):
    """An ``include()`` that remembers, per process, what each path resolved to.

    The API's apps are included under one prefix with ``path("", include(...))``
    each, so Django tries every route of every earlier app before reaching the
    right one, and builds the ``tried`` list of each failed include on the way:
    on every request. Which route a path resolves to depends only on the path
    (the patterns are fixed once loaded, none is translated, and the converters
    are pure), so the match of a path that resolved is kept and handed out again
    as a copy: the same view, arguments, names, route and ``tried`` as Django's
    own resolution.
    A path that does not resolve is not kept: it raises Django's ``Resolver404``
    (with its full ``tried``) every time, so 404s, APPEND_SLASH and DEBUG's
    technical 404 page are unchanged. Reads and writes are single dict
    operations, safe across threads.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._matches: dict[str, ResolverMatch] = {}

    def resolve(self, path: Any) -> ResolverMatch:
        path = str(path)
        match = self._matches.get(path)
        if match is None:
            match = super().resolve(path)
            if len(self._matches) >= RESOLVED_PATHS_MAX:
                self._matches.clear()
            self._matches[path] = match
        # A copy: whoever holds a request's match may change its dicts.
        copy: ResolverMatch = object.__new__(ResolverMatch)
        state = match.__dict__
        copy.__dict__.update(
            state,
            kwargs=dict(state["kwargs"]),
            captured_kwargs=dict(state["captured_kwargs"]),
            extra_kwargs=dict(state["extra_kwargs"]),
            tried=list(state["tried"]),
        )
        return copy

    def forget(self) -> None:
        """Empty the memory (a test that changes the patterns)."""
        self._matches.clear()


def remembered_include(route: str, patterns: list[Any]) -> RememberingResolver:
    """``path(route, include(patterns))`` whose resolutions are remembered (see
    ``RememberingResolver``), e.g. ``remembered_include("api/v1/", api_v1)``."""
    return RememberingResolver(RoutePattern(route, is_endpoint=False), patterns)
