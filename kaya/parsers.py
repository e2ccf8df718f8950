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
import re
from collections.abc import Mapping
from typing import IO, Any

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils import json as drf_json

# No KAYA request body nests deeper than 4 levels; 32 leaves room for growth while
# staying far below Python's recursion limit (1000), whatever the call stack depth.
MAX_JSON_DEPTH = 32

# A JSON string (escapes included) or a bracket that opens or closes a level.
# Strings are matched whole so that brackets inside them are not counted.
_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)


def json_depth_exceeds(text: str, limit: int) -> bool:
    """Whether ``text`` nests arrays/objects deeper than ``limit``, found without
    recursion and stopping at the first level past the limit."""
    depth = 0
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > limit:
                return True
        elif token in "]}":
            depth -= 1
    return False


def _has_lone_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def contains_lone_surrogate(data: Any) -> bool:
    """Whether any string (object key or value) in parsed JSON cannot be encoded
    to UTF-8. Iterative: the depth is already bounded, but nothing is gained by
    recursing."""
    pending = [data]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if _has_lone_surrogate(item):
                return True
        elif isinstance(item, Mapping):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


def _finite_float(text: str) -> float:
    # 1e999 is valid JSON but overflows to infinity, which no field expects
    # (an integer lookup raised OverflowError).
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number out of range at {text[:20]!r}")
    return value


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with a nesting limit and valid Unicode only."""

    def parse(
        self,
        stream: IO[bytes],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
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
        if json_depth_exceeds(text, MAX_JSON_DEPTH):
            raise ParseError(
                f"JSON parse error - nested deeper than {MAX_JSON_DEPTH} levels."
            )
        parse_constant = drf_json.strict_constant if self.strict else None
        try:
            data = drf_json.loads(
                text, parse_constant=parse_constant, parse_float=_finite_float
            )
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        if contains_lone_surrogate(data):
            # The message must not echo the string: it cannot be rendered.
            raise ParseError(
                "JSON parse error - a string holds a lone surrogate escape "
                "(e.g. \\ud800), which is not valid Unicode."
            )
        return data
