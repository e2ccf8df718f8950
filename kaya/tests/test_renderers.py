"""The orjson renderer writes exactly what DRF's JSONRenderer wrote."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections import OrderedDict
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import models
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.serializer_helpers import ReturnDict, ReturnList

from kaya.renderers import ORJSONRenderer, RenderedJSON, render_json


class Mood(models.TextChoices):
    GOOD = "good", "Good"


class Level(models.IntegerChoices):
    HIGH = 3, "High"


UTC = dt.UTC
ISTANBUL = ZoneInfo("Europe/Istanbul")

PAYLOADS = [
    {"ok": True, "none": None, "n": 0, "neg": -17, "big": 2**62},
    {"floats": [0.1, 1.5, 3.0, 2.675, 123456.789, -0.0, 1e-3, 12.0]},
    {"text": "plain ascii", "turkish": "ığüşöç İ", "emoji": "🌿", "cjk": "平静"},
    {"escapes": 'quote " backslash \\ newline \n tab \t nul \x00 bell \x07 del \x7f'},
    {"separators": "line\u2028para\u2029end"},
    {"at_utc": dt.datetime(2026, 12, 3, 17, 16, 9, 123456, tzinfo=UTC)},
    {"at_utc_whole": dt.datetime(2026, 12, 3, 17, 16, 9, tzinfo=UTC)},
    {"at_local": dt.datetime(2026, 12, 3, 20, 16, 9, 5000, tzinfo=ISTANBUL)},
    {
        "date": dt.date(2026, 2, 28),
        "time": dt.time(7, 30),
        "time_us": dt.time(7, 30, 1, 5),
    },
    {"duration": dt.timedelta(minutes=5, seconds=3)},
    {"decimal": Decimal("4.50"), "decimal_int": Decimal("3")},
    {"uuid": uuid.UUID("12345678-1234-5678-1234-567812345678")},
    {"lazy": gettext_lazy("Token has been revoked.")},
    {"choices": [Mood.GOOD, Level.HIGH]},
    {"tuple": (1, "a"), "set_one": {1}, "nested": [[[{"deep": [1]}]]]},
    {1: "int key", "after": "str key"},
    OrderedDict([("z", 1), ("a", 2)]),
    ReturnList([ReturnDict({"id": 1}, serializer=None)], serializer=None),
    {"error": {"code": "not_found", "message": "Not found.", "fields": {"x": ["bad"]}}},
    [],
    {},
    "a bare string",
]


@pytest.mark.parametrize("payload", PAYLOADS, ids=range(len(PAYLOADS)))
def test_orjson_renderer_matches_drf_json_renderer(payload):
    assert ORJSONRenderer().render(payload) == JSONRenderer().render(payload)


def test_orjson_renderer_renders_none_as_an_empty_body():
    assert ORJSONRenderer().render(None) == b""


def test_orjson_renderer_pretty_prints_when_the_client_asks_for_an_indent():
    payload = {"a": [1, {"b": dt.date(2026, 1, 2)}]}
    media_type = "application/json; indent=4"
    assert ORJSONRenderer().render(payload, media_type) == JSONRenderer().render(
        payload, media_type
    )
    assert b"\n    " in ORJSONRenderer().render(payload, media_type)


@pytest.mark.parametrize("payload", PAYLOADS, ids=range(len(PAYLOADS)))
def test_a_cached_rendering_is_written_as_drf_would_write_the_data(payload):
    cached = RenderedJSON(render_json(payload))
    assert ORJSONRenderer().render(cached) == JSONRenderer().render(payload)
    media_type = "application/json; indent=2"
    # Pretty-printed from the cached text as from the data (a date is a string
    # in both by then).
    as_parsed = json.loads(JSONRenderer().render(payload))
    assert ORJSONRenderer().render(cached, media_type) == JSONRenderer().render(
        as_parsed, media_type
    )


def test_orjson_renderer_refuses_aware_times_like_drf():
    with pytest.raises((TypeError, ValueError)):
        ORJSONRenderer().render({"t": dt.time(7, 30, tzinfo=UTC)})


def test_api_responses_are_rendered_by_orjson():
    from rest_framework.settings import api_settings

    assert api_settings.DEFAULT_RENDERER_CLASSES[0] is ORJSONRenderer
