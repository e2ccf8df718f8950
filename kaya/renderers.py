"""The API's JSON renderer: orjson, byte for byte what DRF's JSONRenderer writes.

DRF's renderer runs the standard library's encoder with a Python ``default`` hook;
orjson does the same work in Rust (about 4-6% of a request's CPU on list endpoints,
a third of the rendering time on the heavy ones). Every type we emit comes out as
DRF writes it: dates, times and datetimes go through DRF's own encoder (so UTC
still ends in ``Z``), as do Decimal, lazy translation strings, querysets, sets and
anything else orjson does not know; str, int, float, bool, None, dict, list, tuple,
UUID and enum members are written natively with the same text. Like DRF, the
output is compact UTF-8 with U+2028 and U+2029 escaped (so it stays a JavaScript
subset), and ``Accept: application/json; indent=N`` still pretty-prints (through
DRF's renderer: that path is for people, not for load).

An answer cached as rendered JSON (``RenderedJSON``, built with ``render_json``)
is written as is: parsing it back into Python objects to render it again cost
more than building it (a year of mood trend buckets: about 1 ms).

One difference, on purpose: a NaN or infinite float, which DRF refuses with a 500
(strict JSON), is written as ``null``. Our serializers emit neither.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

_ENCODER = JSONEncoder()
_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS
_LS, _PS = "\u2028".encode(), "\u2029".encode()


def _default(obj: Any) -> Any:
    return _ENCODER.default(obj)


class RenderedJSON:
    """A response body already rendered by ``render_json``: a view returns
    ``Response(RenderedJSON(content))`` and the renderer writes it unchanged."""

    __slots__ = ("content",)

    def __init__(self, content: bytes) -> None:
        self.content = content


class ORJSONRenderer(JSONRenderer):
    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        if data is None:
            return b""
        indent = self.get_indent(accepted_media_type or "", renderer_context or {})
        if type(data) is RenderedJSON:
            if indent is None:
                return data.content
            data = orjson.loads(data.content)
        if indent is not None:
            return super().render(data, accepted_media_type, renderer_context)
        rendered = orjson.dumps(data, default=_default, option=_OPTIONS)
        if _LS in rendered or _PS in rendered:
            rendered = rendered.replace(_LS, b"\\u2028").replace(_PS, b"\\u2029")
        return rendered


def render_json(data: Any) -> bytes:
    """``data`` as the API writes it (for ``RenderedJSON``)."""
    return ORJSONRenderer().render(data)
