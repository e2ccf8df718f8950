"""Every route the project serves, read from Django's URL resolver (not from a
hand-kept list and not from the OpenAPI document, which leaves out what it does not
describe), for tests that must cover every view: a route added later is walked
without editing the tests."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

# Every method a client can send; DRF authenticates and checks permissions before
# it looks for a handler, so even a method a view does not implement must be 401
# for an anonymous client.
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
_GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)|<(?:\w+:)?(\w+)>")


@dataclass(frozen=True)
class Route:
    pattern: str  # the resolver's pattern, prefixes joined
    name: str
    callback: Any

    @property
    def view_class(self) -> type | None:
        return getattr(self.callback, "cls", None) or getattr(
            self.callback, "view_class", None
        )

    @property
    def is_drf(self) -> bool:
        from rest_framework.views import APIView

        cls = self.view_class
        return cls is not None and issubclass(cls, APIView)

    @property
    def kwargs(self) -> list[str]:
        return [a or b for a, b in _GROUP.findall(self.pattern)]

    @property
    def mapped_methods(self) -> list[str]:
        """The methods with a handler: a viewset's action map, else the view's
        own handlers (HEAD follows GET, as Django and DRF do)."""
        actions = getattr(self.callback, "actions", None)
        if actions is not None:
            methods = [m.upper() for m in actions]
        else:
            cls = self.view_class
            methods = [
                m.upper()
                for m in ("get", "post", "put", "patch", "delete")
                if cls is not None and hasattr(cls, m)
            ]
        if "GET" in methods and "HEAD" not in methods:
            methods.append("HEAD")
        return methods

    def path(self, **values: Any) -> str:
        """The route's URL with ``values`` in its groups (no trailing slash)."""
        text = self.pattern.replace("^", "").replace("$", "").replace(r"\Z", "")
        text = text.replace("/?", "")
        text = _GROUP.sub(lambda m: str(values[m.group(1) or m.group(2)]), text)
        return "/" + text.lstrip("/")


def _walk(
    patterns: list[URLPattern | URLResolver], prefix: str
) -> Iterator[tuple[str, URLPattern]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        else:
            yield prefix + str(entry.pattern), entry


def routes(prefix: str = "api/v1/") -> list[Route]:
    """The named routes whose pattern starts with ``prefix`` (the API by default;
    ``""`` for every route, the admin and health checks included)."""
    return [
        Route(pattern, entry.name or "", entry.callback)
        for pattern, entry in _walk(get_resolver().url_patterns, "")
        if pattern.replace("^", "").startswith(prefix)
    ]


def declares_permissions(view_class: type) -> bool:
    """True when a class of the view's own (not DRF's ``APIView`` and generic
    bases, which only carry ``DEFAULT_PERMISSION_CLASSES``) sets
    ``permission_classes``."""
    for klass in view_class.__mro__:
        if "permission_classes" in vars(klass):
            return not klass.__module__.startswith("rest_framework.")
    return False
