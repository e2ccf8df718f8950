"""The one request body parser: JSON, with limits that hostile input cannot pass.

DRF's JSONParser turns only ``ValueError`` into a 400. Other inputs used to
escape it as 500s:

- deep nesting (``[[[[...]]]]``) makes Python's recursive JSON decoder raise
  ``RecursionError``;
- a lone surrogate (``"\\ud800"``) is valid JSON text but not valid Unicode; it
  decodes to a Python string that cannot be encoded to UTF-8, so it fails later,
  in nh3 or when a 400 that echoes it is rendered;
- a number such as ``1e999`` is valid JSON but overflows to infinity.

All are refused here with ``ParseError`` (400 ``parse_error``) before a view
sees the data.
"""

from __future__ import annotations

import math
from typing import IO, Any

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils import json as drf_json

# No KAYA request body nests deeper than 4 levels; 32 leaves room for growth.
MAX_JSON_DEPTH = 32

SURROGATE_MESSAGE = (
    "JSON parse error - a string holds a lone surrogate escape "
    "(e.g. \\ud800), which is not valid Unicode."
)


def _depth_message(max_depth: int) -> str:
    return f"JSON parse error - nested deeper than {max_depth} levels."


def _finite_float(text: str) -> float:
    # 1e999 is valid JSON but overflows to infinity, which no field expects
    # (an integer lookup raised OverflowError).
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number out of range at {text[:20]!r}")
    return value


def json_problem(data: Any, max_depth: int = MAX_JSON_DEPTH) -> str | None:
    """Why parsed JSON is refused (nested deeper than ``max_depth`` arrays or
    objects, or a string, key or value, that cannot be encoded to UTF-8), or
    None. Iterative, in one pass over the data json.loads built."""
    pending: list[tuple[Any, int]] = [(data, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return SURROGATE_MESSAGE
        elif isinstance(item, dict | list):
            if depth > max_depth:
                return _depth_message(max_depth)
            children = (
                [*item.keys(), *item.values()] if isinstance(item, dict) else item
            )
            pending.extend((child, depth + 1) for child in children)
    return None


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with a nesting limit and valid Unicode only."""

    def parse(
        self,
        stream: IO[bytes],
        media_type: str | None = None,
        parser_context: Any = None,
    ) -> Any:
        encoding = (parser_context or {}).get("encoding") or settings.DEFAULT_CHARSET
        try:
            # Unlike codecs.getreader(), str.encode() refuses non-text codecs.
            "".encode(encoding)
        except (LookupError, UnicodeError):
            raise ParseError(
                "Unsupported charset in the Content-Type header."
            ) from None
        try:
            text = stream.read().decode(encoding)
        except UnicodeDecodeError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        parse_constant = drf_json.strict_constant if self.strict else None
        try:
            data = drf_json.loads(
                text, parse_constant=parse_constant, parse_float=_finite_float
            )
        except RecursionError:
            # The decoder recurses per level and stops cleanly at Python's
            # recursion limit (~1000 levels); shallower excess is found below.
            # Both are refused in time linear in the body, which a pre-scan of
            # the text with a regex is not (unterminated strings of \").
            raise ParseError(_depth_message(MAX_JSON_DEPTH)) from None
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        problem = json_problem(data)
        if problem is not None:
            # The message never echoes the string: it could not be rendered.
            raise ParseError(problem)
        return data
