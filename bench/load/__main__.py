"""`python -m bench.load` (`make load`): see the package docstring."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.__main__ import ensure_database
from bench.load import report
from bench.load.run import DEFAULT_MIX, Options, parse_mix, run
from bench.stack import ROOT, Stack

RESULTS = Path(__file__).parent.parent / "results"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.load",
        description="A realistic traffic mix with a websocket population against "
        "the production-shaped stack; writes bench/results/load-<timestamp>.json "
        "and .png.",
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kaya_bench"
        ),
    )
    parser.add_argument("--duration", type=float, default=60, help="Seconds (60).")
    parser.add_argument(
        "--users",
        type=int,
        default=32,
        help="Concurrent virtual users, closed loop with no think time (32).",
    )
    parser.add_argument(
        "--sockets", type=int, default=500, help="Connected websockets (500)."
    )
    parser.add_argument(
        "--mix",
        default=DEFAULT_MIX,
        help=f"Shares of the request categories ({DEFAULT_MIX}).",
    )
    parser.add_argument(
        "--workers", type=int, help="gunicorn workers (default: the Dockerfile's)"
    )
    parser.add_argument(
        "--seed-users",
        type=int,
        default=2000,
        help="seed_bench --users, if the database has no bench data yet (2000).",
    )
    parser.add_argument(
        "--heavy", type=int, default=50, help="seed_bench --heavy (50)."
    )
    parser.add_argument(
        "--results",
        type=Path,
        default=RESULTS,
        help="Directory for the JSON and PNG (bench/results).",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> Path:
    args = parse_args(argv)
    options = Options(
        duration=args.duration,
        users=args.users,
        sockets=args.sockets,
        mix=parse_mix(args.mix),
    )
    ensure_database(args.database_url)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    args.results.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="kaya-load-"))
    stack = Stack(args.database_url, workdir, args.workers)
    document: dict[str, Any] = {
        "started": stamp,
        "machine": os.uname().nodename,
        "cpu_count": os.cpu_count(),
        "load_average_before": list(os.getloadavg()),
        "options": {
            "duration_seconds": args.duration,
            "users": args.users,
            "sockets": args.sockets,
            "mix": options.mix,
        },
    }
    try:
        stack.start_redis()
        tokens = stack.seed(
            users=args.seed_users, heavy=args.heavy, refresh_tokens=True
        )
        document["gunicorn"] = " ".join(stack.start_api())
        document["daphne"] = " ".join(stack.start_ws())
        document.update(run(stack, tokens, options))
    finally:
        stack.stop()
    out = args.results / f"load-{stamp}.json"
    out.write_text(json.dumps(document, indent=2))
    chart = report.chart(document, out.with_suffix(".png"))
    print(report.table(document))
    shown = out.relative_to(ROOT) if out.is_relative_to(ROOT) else out
    print(f"\nresults: {shown}" + (f", chart: {chart.name}" if chart else ""))
    return out


if __name__ == "__main__":
    main()
    sys.exit(0)
