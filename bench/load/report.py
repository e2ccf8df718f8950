"""The printed table and the PNG chart of one `make load` run."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def table(document: dict[str, Any]) -> str:
    header = (
        f"{'endpoint':<32} {'requests':>8} {'req/s':>7} {'errors':>6} "
        f"{'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}"
    )
    lines = [
        f"\nload {document['started']}: {document['options']['users']} users, "
        f"{document['duration_seconds']:.0f} s, load average before "
        f"{document['load_average_before'][0]:.2f} on {document['cpu_count']} cores",
        header,
        "-" * len(header),
    ]
    for row in document["endpoints"]:
        lines.append(
            f"{row['name']:<32} {row['requests']:>8} {row['rps']:7.1f} "
            f"{row['errors']:>6} {row['p50_ms']:7.1f} {row['p95_ms']:7.1f} "
            f"{row['p99_ms']:7.1f}"
        )
    lines.append(
        f"{'all':<32} {document['requests']:>8} {document['throughput_rps']:7.1f} "
        f"{document['errors']:>6} {document['p50_ms']:7.1f} "
        f"{document['p95_ms']:7.1f} {document['p99_ms']:7.1f}"
    )
    lines.append(f"error rate {100 * document['error_rate']:.2f}%")
    ws = document["websocket"]
    feed = ws["feed"]
    lines.append(
        f"websockets: {ws['connected']}/{ws['sockets']} subscribed in "
        f"{ws['connect_seconds']:.1f} s, {ws['subscribed_at_end']} at the end, "
        f"dropped {sum(ws['dropped_by_close_code'].values())} "
        f"{ws['dropped_by_close_code'] or ''}, frames {ws['frames_by_type']}"
    )
    lines.append(
        f"feed pushes: {feed['posts']} posts, delivered {feed['delivered']}/"
        f"{feed['expected']} frames ({100 * feed['delivery_rate']:.1f}%), "
        f"POST to frame p50 {feed['p50_ms']:.0f} ms, p95 {feed['p95_ms']:.0f} ms, "
        f"p99 {feed['p99_ms']:.0f} ms"
    )
    return "\n".join(lines)


def chart(document: dict[str, Any], path: Path) -> Path | None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("load: matplotlib is not installed; no chart written")
        return None
    rows = document["endpoints"]
    figure, (bars, timeline) = plt.subplots(
        1, 2, figsize=(14, 0.4 * len(rows) + 2.5), width_ratios=[3, 2]
    )
    positions = list(range(len(rows)))
    height = 0.27
    for offset, key, colour in (
        (-height, "p50_ms", "#5b8def"),
        (0.0, "p95_ms", "#f4a259"),
        (height, "p99_ms", "#d1495b"),
    ):
        bars.barh(
            [p + offset for p in positions],
            [row[key] for row in rows],
            height=height,
            color=colour,
            label=key.replace("_ms", ""),
        )
    bars.set_yticks(positions, [row["name"] for row in rows])
    bars.invert_yaxis()
    bars.set_xlabel("latency (ms)")
    bars.legend(loc="lower right")
    bars.set_title(
        f"KAYA load {document['started']}: {document['options']['users']} users, "
        f"{document['throughput_rps']:.0f} req/s, "
        f"{100 * document['error_rate']:.2f}% errors"
    )
    seconds = [row["second"] for row in document["timeline"]]
    timeline.plot(
        seconds, [row["requests"] for row in document["timeline"]], color="#5b8def"
    )
    timeline.plot(
        seconds, [row["errors"] for row in document["timeline"]], color="#d1495b"
    )
    timeline.set_xlabel("second")
    timeline.set_ylabel("requests (blue), errors (red) per second")
    p95 = timeline.twinx()
    p95.plot(
        seconds,
        [row["p95_ms"] for row in document["timeline"]],
        color="#f4a259",
        linestyle="--",
    )
    p95.set_ylabel("p95 ms (dashed)")
    feed = document["websocket"]["feed"]
    timeline.set_title(
        f"{document['websocket']['connected']} sockets; feed frames delivered "
        f"{feed['delivered']}/{feed['expected']}"
    )
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path
