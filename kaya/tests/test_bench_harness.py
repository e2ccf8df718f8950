"""The `make bench` harness itself: its wrk script and its CPU accounting.

The wrk script is driven against a stand-in for the booking API (a slot booked
twice is a 409, as in coaching's service), so what is checked is the harness,
not KAYA's views.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from bench.__main__ import LUA, _row, _sweep_configs
from bench.stack import cpu_between
from kaya.testing import free_port


def test_cpu_between_leaves_out_a_process_that_exited_instead_of_going_negative():
    before = {10: 5.0, 11: 40.0}  # 11 exits between the samples
    after = {10: 6.5, 12: 0.25}  # 12 starts between them

    assert cpu_between(before, after) == 1.75


def test_sweep_configs_name_the_worker_class_and_threads():
    assert _sweep_configs("sync:3, gthread:2x4") == [
        ("sync:3", 3, ["--worker-class", "sync"]),
        ("gthread:2x4", 2, ["--worker-class", "gthread", "--threads", "4"]),
    ]
    with pytest.raises(SystemExit):
        _sweep_configs("eventlet:3")


class _SlotAPI(BaseHTTPRequestHandler):
    """POST /api/v1/bookings takes a free slot (409 when it is held), POST
    /api/v1/bookings/<id>/cancel frees it; both answer with the note, slowly
    enough that requests overlap."""

    protocol_version = "HTTP/1.1"
    lock = threading.Lock()
    held: dict[str, int] = {}
    notes: dict[int, tuple[str, str]] = {}
    counts = {"booked": 0, "cancelled": 0, "conflicts": 0}

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"] or 0))
        time.sleep(0.003)
        cancel = re.fullmatch(r"/api/v1/bookings/(\d+)/cancel", self.path)
        with self.lock:
            if cancel:
                slot, note = self.notes.pop(int(cancel.group(1)))
                del self.held[slot]
                self.counts["cancelled"] += 1
                self._answer(200, {"id": int(cancel.group(1)), "note": note})
                return
            data = json.loads(body)
            if data["starts_at"] in self.held:
                self.counts["conflicts"] += 1
                self._answer(409, {"error": {"code": "slot_taken"}})
                return
            self.counts["booked"] += 1
            booking_id = self.counts["booked"]
            self.held[data["starts_at"]] = booking_id
            self.notes[booking_id] = (data["starts_at"], data["note"])
            self._answer(201, {"id": booking_id, "note": data["note"]})

    def _answer(self, status: int, payload: dict[str, Any]) -> None:
        # Compact, as the API (orjson) writes it: the script reads "id":<n>.
        content = json.dumps(payload, separators=(",", ":")).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.mark.skipif(not shutil.which("wrk"), reason="wrk is not installed")
def test_wrk_script_never_books_a_slot_again_before_its_cancel_is_answered(
    tmp_path: Path,
):
    rows = [
        _row(
            "POST",
            "/api/v1/bookings",
            f"token-{n}",
            json.dumps({"starts_at": f"slot-{n}", "note": "bench-row-{row}"}),
            then="POST /api/v1/bookings/{id}/cancel",
        )
        for n in range(12)
    ]
    _SlotAPI.held.clear()
    _SlotAPI.notes.clear()
    _SlotAPI.counts.update(booked=0, cancelled=0, conflicts=0)
    rows_file = tmp_path / "rows.tsv"
    rows_file.write_text("\n".join(rows) + "\n")
    port = free_port()
    server = ThreadingHTTPServer(("127.0.0.1", port), _SlotAPI)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        completed = subprocess.run(
            [
                *("wrk", "-t", "2", "-c", "4", "-d", "2s", "-s", str(LUA)),
                *(f"http://127.0.0.1:{port}", "--", str(rows_file), "2"),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        server.shutdown()
        server.server_close()
    line = next(
        row for row in completed.stdout.splitlines() if row.startswith("BENCH_RESULT")
    )
    result = json.loads(line.split(" ", 1)[1])

    counts = _SlotAPI.counts
    assert counts["conflicts"] == 0
    assert result["non2xx"] == 0
    assert result["overlapped"] == 0
    # The rows came round again and again in the 2 s.
    assert counts["booked"] > 2 * len(rows)
    assert counts["cancelled"] >= counts["booked"] - 4
