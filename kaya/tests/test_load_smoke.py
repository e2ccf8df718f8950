"""`make load` runs end to end on a small seeded database (service-backed run).

The load tool's figures are not asserted (they are what we track, not a gate);
this only proves that it starts the stack, drives every operation of the mix
with a websocket population, and writes a report of the documented shape.
"""

from __future__ import annotations

import json

import pytest

from bench.load.__main__ import main
from bench.load.run import NAMES
from kaya.testing import test_database_url

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    # The stack writes through its own connections: flush after the test.
    pytest.mark.django_db(transaction=True),
]


def test_load_run_writes_a_report_of_every_endpoint_and_the_socket_deliveries(
    tmp_path,
):
    out = main(
        [
            f"--database-url={test_database_url()}",
            "--duration=4",
            "--users=3",
            "--sockets=6",
            "--seed-users=8",
            "--heavy=2",
            "--workers=2",
            f"--results={tmp_path}",
        ]
    )

    document = json.loads(out.read_text())
    assert out.with_suffix(".png").stat().st_size > 0
    assert set(document) >= {
        "started",
        "load_average_before",
        "load_average_after",
        "gunicorn",
        "daphne",
        "options",
        "duration_seconds",
        "requests",
        "errors",
        "error_rate",
        "throughput_rps",
        "endpoints",
        "websocket",
        "timeline",
    }
    assert document["requests"] == sum(e["requests"] for e in document["endpoints"])
    assert document["requests"] > 0
    assert {e["category"] for e in document["endpoints"]} <= {
        "reads",
        "writes",
        "refresh",
        "notifications",
    }
    assert {e["name"] for e in document["endpoints"]} <= set(NAMES.values())
    for row in document["endpoints"]:
        assert row["p50_ms"] <= row["p95_ms"] <= row["p99_ms"] <= row["max_ms"]
        assert sum(row["statuses"].values()) == row["requests"]
    sockets = document["websocket"]
    assert sockets["sockets"] == 6
    assert sockets["connected"] == 6
    assert set(sockets["feed"]) == {
        "posts",
        "expected",
        "delivered",
        "delivery_rate",
        "unmatched",
        "p50_ms",
        "p95_ms",
        "p99_ms",
    }
