"""`make bench`: KAYA's endpoints against the one-query unit, side by side.

Starts the production-shaped stack on 127.0.0.1 (see bench/stack.py), loads
`seed_bench` data, then drives every endpoint with wrk in interleaved rounds: each
endpoint runs between two runs of the unit (`/bench/one`, one primary-key query
behind the same middleware), the order rotates each round, and the ratio of the
endpoint's req/s to the mean of its two neighbouring unit runs is the figure
(absolute req/s on a shared machine moves by 5-10x between runs; ratios taken
side by side do not). Any non-2xx answer fails the run. Results go to
bench/results/<timestamp>.json and .png; the table is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench import node_stack, report, websocket
from bench.stack import ROOT, Stack, cpu_between, cpu_by_pid, rss_mb

LUA = Path(__file__).with_name("http.lua")
RESULTS = Path(__file__).with_name("results")
# The API's one date-range parameter pair (README, API conventions).
DATE_FROM, DATE_TO = "date_from", "date_to"


@dataclass
class Endpoint:
    name: str
    method: str
    path: str
    users: str = "heavy"  # whose tokens: heavy, light, none, open_sessions
    body: str = ""
    target: float | None = None
    floor: float | None = None
    rows: list[str] = field(default_factory=list)
    # Builds the rows from the tokens file when one token per row is not enough
    # (an object id in the path, a follow-up request).
    rows_from: Callable[[dict[str, Any], Stack], list[str]] | None = None
    # Single-use rows (a session completes once, a slot is booked once) are
    # split into one share per run, and not probed for their query count.
    single_use: bool = False
    shares: list[list[str]] = field(default_factory=list)
    # Undoes what runs of the endpoint leave behind (returns how many objects),
    # before its rows are built and after its last run.
    undo: Callable[[dict[str, Any], Stack], int] | None = None
    # wrk connections for this endpoint's runs when a target is stated at
    # another concurrency than --connections (its neighbouring unit runs keep
    # --connections); a p99 target in ms at that concurrency.
    connections: int | None = None
    p99_target_ms: float | None = None

    def rows_for(self, run: int) -> list[str]:
        return self.shares[run] if self.shares else self.rows


def _row(method: str, path: str, token: str, body: str = "", then: str = "") -> str:
    """One wrk row; ``then`` ("METHOD /path/{id}") is sent with the same token
    once the answer (tagged ``bench-row-<n>``) names the new object's id."""
    return "\t".join([method, path, token, body, then])


def _slot_rows(tokens: dict[str, Any], stack: Stack) -> list[str]:
    """Free slots of every bench therapist over the next two weeks, as booking
    requests of light users (a user never holds more than a few at once); the
    harness's wrk script cancels each booking once it is made (the row's
    follow-up) and books a slot again only once that cancel was answered."""
    today = datetime.now(UTC).date()
    light = tokens["light"]
    per_therapist = []
    for therapist_id in tokens["therapists"]:
        answer = _get(
            stack,
            f"/api/v1/therapists/{therapist_id}/slots?{DATE_FROM}="
            f"{today + timedelta(days=2)}&{DATE_TO}={today + timedelta(days=15)}",
            light[0]["token"],
        )
        per_therapist.append([(therapist_id, s["starts_at"]) for s in answer["slots"]])
    # Interleaved across therapists: consecutive rows book different therapists.
    slots = [slot for group in zip(*per_therapist, strict=False) for slot in group]
    rows = []
    for n, (therapist_id, starts_at) in enumerate(slots):
        # The note tags the answers with the row's line in the file wrk reads
        # (the script writes it in for "{row}"), so the script knows which
        # booking to cancel with which token, and when the slot is free again.
        body = json.dumps(
            {
                "therapist_id": therapist_id,
                "starts_at": starts_at,
                "note": "bench-row-{row}",
            }
        )
        token = light[n % len(light)]["token"]
        rows.append(
            _row(
                "POST",
                "/api/v1/bookings",
                token,
                body,
                then="POST /api/v1/bookings/{id}/cancel",
            )
        )
    return rows


def _slots_rows(tokens: dict[str, Any], stack: Stack) -> list[str]:
    today = datetime.now(UTC).date()
    therapists = tokens["therapists"]
    return [
        _row(
            "GET",
            f"/api/v1/therapists/{therapists[n % len(therapists)]}/slots?"
            f"{DATE_FROM}={today}&{DATE_TO}={today + timedelta(days=6)}",
            user["token"],
        )
        for n, user in enumerate(tokens["heavy"])
    ]


def _job_rows(tokens: dict[str, Any], stack: Stack) -> list[str]:
    return [
        _row("GET", f"/api/v1/ai/jobs/{job['job_id']}", job["token"])
        for job in tokens["ai_jobs"]
    ]


def _like_rows(tokens: dict[str, Any], stack: Stack) -> list[str]:
    """Heavy users like 2,000 distinct public posts, then unlike them: both are
    idempotent, and one (user, post) pair is never in flight twice at once."""
    heavy, posts = tokens["heavy"], tokens["public_posts"]
    pairs = [
        (heavy[i % len(heavy)]["token"], posts[(7 * i) % len(posts)])
        for i in range(2000)
    ]
    return [
        _row("POST", f"/api/v1/community/{post}/like", token) for token, post in pairs
    ] + [
        _row("DELETE", f"/api/v1/community/{post}/unlike", token)
        for token, post in pairs
    ]


def endpoints() -> list[Endpoint]:
    today = datetime.now(UTC).date()
    year_ago = today - timedelta(days=364)
    return [
        Endpoint("bare JSON ceiling", "GET", "/bench/json", users="none"),
        Endpoint("GET /users/me", "GET", "/api/v1/users/me", target=0.90, floor=0.70),
        Endpoint(
            "GET /sessions (20)",
            "GET",
            "/api/v1/sessions?page_size=20",
            target=0.65,
            floor=0.45,
        ),
        Endpoint("GET /sessions/stats", "GET", "/api/v1/sessions/stats"),
        Endpoint(
            "GET /users/me/stats",
            "GET",
            "/api/v1/users/me/stats",
            target=0.80,
            floor=0.50,
        ),
        Endpoint(
            "GET /analytics/dashboard",
            "GET",
            "/api/v1/analytics/dashboard",
            target=0.50,
            floor=0.35,
        ),
        Endpoint(
            # Issue #12: "p99 < 50 ms at 32 connections". Its own row, so the
            # ratio above is taken at the same concurrency as its unit runs.
            "GET /analytics/dashboard @32",
            "GET",
            "/api/v1/analytics/dashboard",
            connections=32,
            p99_target_ms=50,
        ),
        Endpoint(
            "GET /analytics/mood-trends 365d",
            "GET",
            f"/api/v1/analytics/mood-trends?{DATE_FROM}={year_ago}&{DATE_TO}={today}",
            target=0.40,
            floor=0.25,
        ),
        Endpoint(
            "GET /journal (20)",
            "GET",
            "/api/v1/journal?page_size=20",
            target=0.50,
            floor=0.30,
        ),
        Endpoint(
            "GET /journal/mood/history 30d",
            "GET",
            "/api/v1/journal/mood/history",
            target=0.40,
            floor=0.25,
        ),
        Endpoint("GET /notifications", "GET", "/api/v1/notifications"),
        Endpoint(
            "POST /journal/mood",
            "POST",
            "/api/v1/journal/mood",
            users="light",
            body=json.dumps(
                {"mood": "good", "intensity": 4, "emotions": ["calm"], "factors": []}
            ),
            target=0.40,
            floor=0.25,
        ),
        Endpoint(
            "POST /sessions",
            "POST",
            "/api/v1/sessions",
            users="light",
            body=json.dumps(
                {
                    "type": "breathing",
                    "title": "Bench",
                    "planned_duration_seconds": 600,
                }
            ),
        ),
        Endpoint(
            "PATCH /sessions/{id}/complete",
            "PATCH",
            "/api/v1/sessions/{id}/complete",
            users="open_sessions",
            body=json.dumps({"actual_duration_seconds": 590, "mood_after": 4}),
            single_use=True,
        ),
        Endpoint(
            "GET /community (20)",
            "GET",
            "/api/v1/community?page_size=20",
            target=0.65,
            floor=0.40,
        ),
        Endpoint(
            "POST+DELETE /community/{id}/like",
            "POST",
            "/api/v1/community/{id}/like",
            rows_from=_like_rows,
        ),
        Endpoint(
            "GET /therapists/{id}/slots 7d",
            "GET",
            "/api/v1/therapists/{id}/slots",
            rows_from=_slots_rows,
        ),
        Endpoint("GET /bookings", "GET", "/api/v1/bookings"),
        Endpoint(
            "POST /bookings + cancel",
            "POST",
            "/api/v1/bookings",
            rows_from=_slot_rows,
            single_use=True,
            undo=_cancel_light_bookings,
        ),
        Endpoint(
            "GET /ai/jobs/{id}", "GET", "/api/v1/ai/jobs/{id}", rows_from=_job_rows
        ),
    ]


UNIT = Endpoint("unit /bench/one", "GET", "/bench/one", users="heavy")
# What --sweep measures unless --only says otherwise: the unit and the main reads.
SWEEP_DEFAULT = [
    "GET /users/me",
    "GET /sessions (20)",
    "GET /journal (20)",
    "GET /analytics/dashboard @32",
]


def _get(stack: Stack, path: str, token: str, method: str = "GET") -> Any:
    request = urllib.request.Request(
        f"http://127.0.0.1:{stack.api_port}{path}", method=method
    )
    request.add_header("Authorization", f"Bearer {token}")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=30) as response:
        return json.loads(response.read())


def _cancel_light_bookings(tokens: dict[str, Any], stack: Stack) -> int:
    """Cancels, through the API, every upcoming booking a light user holds; the
    number cancelled. The seed books only for heavy users, so these are the
    harness's own: wrk stops mid-row (a booking in flight or not yet cancelled)
    and an interrupted run leaves more. Left alone they would hold their slots
    and count towards a light user's cap of upcoming bookings in later runs.
    (The note that tags them is encrypted, so the rows are found by user.)"""
    light = {row["user_id"]: row["token"] for row in tokens["light"]}
    left = (
        stack.postgres_backends()
        .conn.execute(
            "SELECT id, user_id FROM coaching_therapistbooking"
            " WHERE user_id = ANY(%s) AND status IN ('pending', 'confirmed')"
            " AND starts_at > now() ORDER BY id",
            (list(light),),
        )
        .fetchall()
    )
    undone = 0
    for booking_id, user_id in left:
        path = f"/api/v1/bookings/{booking_id}/cancel"
        try:
            _get(stack, path, light[user_id], "POST")
            undone += 1
        except urllib.error.HTTPError as error:
            # A cancel wrk sent before it stopped may still be running (409:
            # cancelled meanwhile, no longer a transition to make).
            if error.code != 409:
                raise
    return undone


def build_rows(endpoint: Endpoint, tokens: dict[str, Any], stack: Stack) -> None:
    if endpoint.rows_from is not None:
        endpoint.rows = endpoint.rows_from(tokens, stack)
    elif endpoint.users == "none":
        endpoint.rows = [f"{endpoint.method}\t{endpoint.path}\t\t{endpoint.body}"]
    elif endpoint.users == "open_sessions":
        endpoint.rows = [
            f"{endpoint.method}\t{endpoint.path.format(id=row['session_id'])}\t"
            f"{row['token']}\t{endpoint.body}"
            for row in tokens["open_sessions"]
        ]
    else:
        endpoint.rows = [
            f"{endpoint.method}\t{endpoint.path}\t{row['token']}\t{endpoint.body}"
            for row in tokens[endpoint.users]
        ]


def run_wrk(
    stack: Stack,
    endpoint: Endpoint,
    rows: list[str],
    seconds: int,
    connections: int,
    threads: int,
    server: str = "gunicorn",
) -> dict[str, Any]:
    port = stack.api_port if server == "gunicorn" else stack.ports[server]
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False) as handle:
        handle.write("\n".join(rows) + "\n")
        rows_file = handle.name
    # Processes are sampled at both ends of the run (a worker or a backend
    # may come or go in between; see cpu_between).
    backends = stack.postgres_backends()
    app_before = cpu_by_pid(stack.worker_pids(server))
    pg_before = cpu_by_pid(backends.pids())
    try:
        completed = subprocess.run(
            [
                "wrk",
                "-t",
                str(threads),
                "-c",
                str(connections),
                "-d",
                f"{seconds}s",
                "--latency",
                # A slow answer is a latency to report, not a socket error.
                "--timeout",
                "10s",
                "-s",
                str(LUA),
                f"http://127.0.0.1:{port}",
                "--",
                rows_file,
                str(threads),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        os.unlink(rows_file)
    app_cpu = cpu_between(app_before, cpu_by_pid(stack.worker_pids(server)))
    pg_cpu = cpu_between(pg_before, cpu_by_pid(backends.pids()))
    line = next(
        (
            row
            for row in completed.stdout.splitlines()
            if row.startswith("BENCH_RESULT")
        ),
        None,
    )
    if line is None:
        raise SystemExit(f"bench: wrk printed no result:\n{completed.stdout}")
    result = json.loads(line.split(" ", 1)[1])
    requests = max(result["requests"], 1)
    result.update(
        name=endpoint.name,
        rps=result["requests"] / (result["duration_us"] / 1e6),
        app_cpu_ms=1000 * app_cpu / requests,
        pg_cpu_ms=1000 * pg_cpu / requests,
    )
    if result["non2xx"] or result["socket_errors"] or result["overlapped"]:
        statuses = ", ".join(
            f"{count} x {status}"
            for status, count in sorted(result["non2xx_by_status"].items())
        )
        if statuses:
            statuses = f" ({statuses}; first code {result['first_error_code']!r})"
        raise SystemExit(
            f"bench: {endpoint.name}: {result['non2xx']} non-2xx answers{statuses}"
            f", {result['socket_errors']} socket errors and "
            f"{result['overlapped']} rows sent while still held by an earlier "
            "request (too few rows for the connections); the run is invalid."
        )
    return result


def queries_per_request(stack: Stack, endpoint: Endpoint) -> int | None:
    method, path, token, body = endpoint.rows[0].split("\t")[:4]
    request = urllib.request.Request(
        f"http://127.0.0.1:{stack.api_port}{path}",
        method=method,
        data=body.encode() or None,
        headers={"Content-Type": "application/json"},
    )
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=10) as response:
        value = response.headers.get("X-Bench-Queries")
    return int(value) if value is not None else None


def ensure_wrk() -> None:
    if shutil.which("wrk"):
        return
    print("bench: installing wrk from Debian's packages")
    subprocess.run(["apt-get", "update", "-qq"], check=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kaya_bench"
        ),
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--workers", type=int, help="gunicorn workers (default: the Dockerfile's)"
    )
    parser.add_argument("--users", type=int, default=2000)
    parser.add_argument("--heavy", type=int, default=50)
    parser.add_argument("--only", help="Comma-separated substrings of endpoint names")
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument(
        "--sweep",
        help="Instead of the ratio rounds, compare gunicorn configurations side "
        "by side: comma-separated CLASS:WORKERS[xTHREADS] (e.g. 'sync:2,sync:3,"
        "gthread:3x2'), each started beside the others; every endpoint runs on "
        "each in turn (the order rotating each round); absolute req/s, p99, "
        "application CPU and worker RSS per configuration (default endpoints: "
        f"{', '.join(SWEEP_DEFAULT)})",
    )
    parser.add_argument(
        "--node",
        action="store_true",
        help="Also run the endpoints bench/node serves (the seed's stack: Express "
        "5 + Prisma 7) beside KAYA's, after checking their JSON is the same",
    )
    parser.add_argument(
        "--ws-clients",
        default="100,500,1000",
        help="Connected websocket populations ('' to skip)",
    )
    parser.add_argument(
        "--ws-broadcast",
        type=int,
        help="Subscribers of community.feed for the broadcast benchmark (0 to "
        "skip; default 500 when --ws-clients is not empty, else skipped)",
    )
    return parser.parse_args()


def ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    args = parse_args()
    ensure_wrk()
    ensure_database(args.database_url)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    RESULTS.mkdir(exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="kaya-bench-"))
    stack = Stack(args.database_url, workdir, args.workers)
    document: dict[str, Any] = {"started": stamp, "machine": os.uname().nodename}
    try:
        stack.start_redis()
        tokens = stack.seed(users=args.users, heavy=args.heavy)
        command = stack.start_api()
        document["gunicorn"] = " ".join(command)
        if args.node and not args.skip_http:
            workers = int(command[command.index("--workers") + 1])
            node_stack.start(stack, workers)
            document["node"] = f"node server.js (cluster of {workers} workers)"
        if args.sweep:
            document["sweep"] = sweep_rounds(stack, args, tokens)
        elif not args.skip_http:
            document["http"] = http_rounds(stack, args, tokens)
        subscribers = args.ws_broadcast
        if subscribers is None:
            subscribers = 500 if args.ws_clients else 0
        if args.ws_clients or subscribers:
            ws_command = stack.start_ws()
            document["daphne"] = " ".join(ws_command)
        if args.ws_clients:
            document["websocket"] = websocket.run(
                stack, tokens, [int(n) for n in args.ws_clients.split(",") if n]
            )
        if subscribers:
            document["websocket_broadcast"] = websocket.broadcast(
                stack, tokens, subscribers
            )
    finally:
        stack.stop()
    out = RESULTS / f"{stamp}.json"
    out.write_text(json.dumps(document, indent=2))
    chart = report.chart(document, out.with_suffix(".png"))
    print(report.table(document))
    print(
        f"\nresults: {out.relative_to(ROOT)}"
        + (f", chart: {chart.name}" if chart else "")
    )


def _between_units(
    stack: Stack,
    args: argparse.Namespace,
    endpoint: Endpoint,
    round_no: int,
    before: dict[str, Any],
    units: list[dict[str, Any]],
    server: str = "gunicorn",
) -> tuple[dict[str, Any], dict[str, Any]]:
    """One run of ``endpoint`` on ``server``, then one of the unit (appended to
    ``units``): the run's ratio is to the mean of the unit runs either side."""
    result = run_wrk(
        stack,
        endpoint,
        endpoint.rows_for(round_no + 1),
        args.seconds,
        endpoint.connections or args.connections,
        args.threads,
        server,
    )
    after = run_wrk(
        stack, UNIT, UNIT.rows, args.seconds, args.connections, args.threads
    )
    units.append(after)
    result["ratio"] = result["rps"] / statistics.mean([before["rps"], after["rps"]])
    return result, after


def _chosen(only: str | None) -> list[Endpoint]:
    chosen = endpoints()
    if only:
        wanted = [w.strip().lower() for w in only.split(",")]
        chosen = [e for e in chosen if any(w in e.name.lower() for w in wanted)]
    return chosen


def _sweep_configs(spec: str) -> list[tuple[str, int, list[str]]]:
    """(name, workers, extra gunicorn options) for each CLASS:WORKERS[xTHREADS]."""
    configs = []
    for item in spec.split(","):
        worker_class, _, size = item.strip().partition(":")
        workers, _, threads = size.partition("x")
        if worker_class not in {"sync", "gthread"} or not workers.isdigit():
            raise SystemExit(f"bench: --sweep: {item!r} is not CLASS:WORKERS[xN]")
        options = ["--worker-class", worker_class]
        if threads:
            options += ["--threads", threads]
        configs.append((item.strip(), int(workers), options))
    return configs


def sweep_rounds(stack: Stack, args: argparse.Namespace, tokens: dict[str, Any]) -> Any:
    """Each gunicorn configuration of ``--sweep`` runs beside the others (idle
    sync workers cost no CPU); every endpoint is run on each configuration in
    turn, so the configurations are compared minutes apart at most, and the
    order rotates each round so none is always first after a change of load."""
    configs = _sweep_configs(args.sweep)
    commands = {}
    for name, workers, options in configs:
        commands[name] = " ".join(stack.start_api(name, workers, tuple(options)))
    names = [name for name, _, _ in configs]
    if args.only:
        chosen = [UNIT, *_chosen(args.only)]
    else:
        chosen = [UNIT, *(e for e in endpoints() if e.name in SWEEP_DEFAULT)]
    if any(endpoint.single_use for endpoint in chosen):
        raise SystemExit("bench: --sweep measures reads only (no single-use rows)")
    for endpoint in chosen:
        build_rows(endpoint, tokens, stack)
    print(f"warm-up ({args.warmup} s each)")
    for endpoint in chosen:
        for name in names:
            run_wrk(
                stack,
                endpoint,
                endpoint.rows,
                args.warmup,
                endpoint.connections or args.connections,
                args.threads,
                name,
            )
    samples: dict[str, dict[str, list[dict[str, Any]]]] = {
        e.name: {name: [] for name in names} for e in chosen
    }
    loads = [os.getloadavg()[0]]
    for round_no in range(args.rounds):
        print(f"round {round_no + 1}/{args.rounds}")
        order = names[round_no % len(names) :] + names[: round_no % len(names)]
        for endpoint in chosen:
            for name in order:
                result = run_wrk(
                    stack,
                    endpoint,
                    endpoint.rows,
                    args.seconds,
                    endpoint.connections or args.connections,
                    args.threads,
                    name,
                )
                samples[endpoint.name][name].append(result)
                print(
                    f"  {endpoint.name:<30} {name:<12} {result['rps']:8.1f} req/s  "
                    f"p99 {result['p99_us'] / 1000:7.1f} ms  "
                    f"app {result['app_cpu_ms']:.2f} ms"
                )
        loads.append(os.getloadavg()[0])
    rows = []
    for endpoint in chosen:
        row: dict[str, Any] = {
            "name": endpoint.name,
            "connections": endpoint.connections or args.connections,
            "configs": {},
        }
        for name in names:
            runs_ = samples[endpoint.name][name]
            row["configs"][name] = {
                "rps_median": statistics.median(r["rps"] for r in runs_),
                "rps_min": min(r["rps"] for r in runs_),
                "rps_max": max(r["rps"] for r in runs_),
                "p50_ms": statistics.median(r["p50_us"] for r in runs_) / 1000,
                "p99_ms": statistics.median(r["p99_us"] for r in runs_) / 1000,
                "app_cpu_ms": statistics.median(r["app_cpu_ms"] for r in runs_),
                "pg_cpu_ms": statistics.median(r["pg_cpu_ms"] for r in runs_),
                "runs": runs_,
            }
        rows.append(row)
    return {
        "rounds": args.rounds,
        "seconds": args.seconds,
        "connections": args.connections,
        "load_average_1min": loads,
        "configs": [
            {
                "name": name,
                "command": commands[name],
                "worker_rss_mb": [rss_mb(pid) for pid in stack.worker_pids(name)[1:]],
            }
            for name in names
        ],
        "endpoints": rows,
    }


def http_rounds(stack: Stack, args: argparse.Namespace, tokens: dict[str, Any]) -> Any:
    chosen = _chosen(args.only)
    for endpoint in chosen:
        if endpoint.undo is not None:
            left = endpoint.undo(tokens, stack)
            if left:
                print(f"{endpoint.name}: undid {left} left by an earlier run")
    for endpoint in [UNIT, *chosen]:
        build_rows(endpoint, tokens, stack)
    runs = args.rounds + 1
    for endpoint in chosen:
        if endpoint.single_use:
            size = len(endpoint.rows) // runs
            endpoint.shares = [
                endpoint.rows[i * size : (i + 1) * size] for i in range(runs)
            ]
            # A row with a follow-up is held from its request until the
            # follow-up is answered: at most two per connection at a time.
            held = 2 * (endpoint.connections or args.connections)
            if size <= held:
                raise SystemExit(
                    f"bench: {endpoint.name}: {size} rows per run for {held} "
                    "that can be held at once; fewer rounds or connections"
                )

    queries = {}
    for endpoint in chosen:
        probe = Endpoint(endpoint.name, endpoint.method, endpoint.path)
        probe.rows = endpoint.rows_for(0)[-1:]
        if not endpoint.single_use:
            queries[endpoint.name] = queries_per_request(stack, probe)
    queries[UNIT.name] = queries_per_request(stack, UNIT)

    node = [e.name for e in chosen if args.node and e.path in node_stack.NODE_PATHS]
    compared = {}
    for endpoint in [UNIT, *chosen]:
        if (endpoint.name == UNIT.name and args.node) or endpoint.name in node:
            compared[endpoint.name] = node_stack.compare(
                stack, endpoint.name, endpoint.rows, tokens
            )
    if compared:
        print(f"Node's JSON equals KAYA's on {sum(compared.values())} requests")

    print(f"warm-up ({args.warmup} s each)")
    for endpoint in [UNIT, *chosen]:
        for server in ["gunicorn", "node"] if endpoint.name in node else ["gunicorn"]:
            run_wrk(
                stack,
                endpoint,
                endpoint.rows_for(0),
                args.warmup,
                endpoint.connections or args.connections,
                args.threads,
                server,
            )
    samples: dict[str, list[dict[str, Any]]] = {e.name: [] for e in chosen}
    node_samples: dict[str, list[dict[str, Any]]] = {name: [] for name in node}
    units: list[dict[str, Any]] = []
    for round_no in range(args.rounds):
        order = chosen[round_no % len(chosen) :] + chosen[: round_no % len(chosen)]
        print(f"round {round_no + 1}/{args.rounds}")
        before = run_wrk(
            stack, UNIT, UNIT.rows, args.seconds, args.connections, args.threads
        )
        units.append(before)
        for endpoint in order:
            result, after = _between_units(
                stack, args, endpoint, round_no, before, units
            )
            samples[endpoint.name].append(result)
            print(
                f"  {endpoint.name:<34} {result['rps']:8.1f} req/s  "
                f"ratio {result['ratio']:.2f}  p99 {result['p99_us'] / 1000:.1f} ms"
            )
            before = after
            if endpoint.name in node:
                # The same rows against the Node cluster, right after KAYA's
                # run and between two more runs of KAYA's unit.
                theirs, after = _between_units(
                    stack, args, endpoint, round_no, before, units, "node"
                )
                theirs["kaya_over_node"] = result["rps"] / theirs["rps"]
                node_samples[endpoint.name].append(theirs)
                print(
                    f"  {'  Node: ' + endpoint.name:<34} {theirs['rps']:8.1f} req/s  "
                    f"ratio {theirs['ratio']:.2f}  "
                    f"KAYA/Node {theirs['kaya_over_node']:.2f}"
                )
                before = after
    for endpoint in chosen:
        if endpoint.undo is not None:
            print(f"{endpoint.name}: undid {endpoint.undo(tokens, stack)} left by wrk")
    rss = [rss_mb(pid) for pid in stack.worker_pids("gunicorn")[1:]]
    rows = []
    for endpoint in chosen:
        runs_ = samples[endpoint.name]
        ratios = [r["ratio"] for r in runs_]
        rows.append(
            {
                "name": endpoint.name,
                "target": endpoint.target,
                "floor": endpoint.floor,
                "connections": endpoint.connections or args.connections,
                "p99_target_ms": endpoint.p99_target_ms,
                "ratio_median": statistics.median(ratios),
                "ratio_min": min(ratios),
                "ratio_max": max(ratios),
                "rps_median": statistics.median(r["rps"] for r in runs_),
                "p50_ms": statistics.median(r["p50_us"] for r in runs_) / 1000,
                "p99_ms": statistics.median(r["p99_us"] for r in runs_) / 1000,
                "app_cpu_ms": statistics.median(r["app_cpu_ms"] for r in runs_),
                "pg_cpu_ms": statistics.median(r["pg_cpu_ms"] for r in runs_),
                "queries": queries.get(endpoint.name),
                "runs": runs_,
            }
        )
        node_runs = node_samples.get(endpoint.name)
        if node_runs:
            over = [r["kaya_over_node"] for r in node_runs]
            rows[-1]["node"] = {
                "json_compared": compared[endpoint.name],
                "kaya_over_node_median": statistics.median(over),
                "kaya_over_node_min": min(over),
                "kaya_over_node_max": max(over),
                "ratio_median": statistics.median(r["ratio"] for r in node_runs),
                "rps_median": statistics.median(r["rps"] for r in node_runs),
                "p99_ms": statistics.median(r["p99_us"] for r in node_runs) / 1000,
                "app_cpu_ms": statistics.median(r["app_cpu_ms"] for r in node_runs),
                "pg_cpu_ms": statistics.median(r["pg_cpu_ms"] for r in node_runs),
                "runs": node_runs,
            }
    return {
        "rounds": args.rounds,
        "seconds": args.seconds,
        "connections": args.connections,
        "unit": {
            "rps_median": statistics.median(u["rps"] for u in units),
            "app_cpu_ms": statistics.median(u["app_cpu_ms"] for u in units),
            "queries": queries[UNIT.name],
        },
        "worker_rss_mb": rss,
        "node_worker_rss_mb": (
            [rss_mb(pid) for pid in stack.worker_pids("node")[1:]] if node else []
        ),
        "json_compared": sum(compared.values()),
        "endpoints": rows,
    }


if __name__ == "__main__":
    sys.exit(main())
