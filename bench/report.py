"""The printed table and the PNG chart of one `make bench` run."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def _verdict(row: dict[str, Any]) -> str:
    ratio, target, floor = row["ratio_median"], row["target"], row["floor"]
    if target is None:
        return ""
    if ratio >= target:
        return "target met"
    if floor is not None and ratio >= floor:
        return "above floor"
    return "BELOW FLOOR"


def table(document: dict[str, Any]) -> str:
    lines = []
    http = document.get("http")
    if http:
        unit = http["unit"]
        lines.append(
            f"\nunit /bench/one: {unit['rps_median']:.0f} req/s median, "
            f"{unit['app_cpu_ms']:.2f} ms app CPU, {unit['queries']} query"
        )
        header = (
            f"{'endpoint':<34} {'ratio':>6} {'spread':>11} {'req/s':>7} "
            f"{'p50 ms':>7} {'p99 ms':>7} {'app ms':>7} {'pg ms':>6} {'q':>3}  "
            f"{'target':>6}  verdict"
        )
        lines += [header, "-" * len(header)]
        for row in http["endpoints"]:
            target = f"{row['target']:.2f}" if row["target"] is not None else "-"
            lines.append(
                f"{row['name']:<34} {row['ratio_median']:6.2f} "
                f"{row['ratio_min']:5.2f}-{row['ratio_max']:<5.2f} "
                f"{row['rps_median']:7.0f} {row['p50_ms']:7.1f} {row['p99_ms']:7.1f} "
                f"{row['app_cpu_ms']:7.2f} {row['pg_cpu_ms']:6.2f} "
                f"{row['queries'] if row['queries'] is not None else '-':>3}  "
                f"{target:>6}  {_verdict(row)}"
            )
        rss = ", ".join(f"{value:.0f}" for value in http["worker_rss_mb"])
        lines.append(f"gunicorn worker RSS after the run (MB): {rss}")
    for row in document.get("websocket") or []:
        lines.append(
            f"websocket push, {row['connected']:>5} connected: p50 "
            f"{row['p50_ms'] or 0:.1f} ms, p99 {row['p99_ms'] or 0:.1f} ms, "
            f"delivered {row['delivered']}/{row['sampled']}, daphne "
            f"{row['daphne_rss_mb']:.0f} MB ({row['rss_kb_per_socket']:.1f} KB/socket)"
        )
    return "\n".join(lines)


def chart(document: dict[str, Any], path: Path) -> Path | None:
    http = document.get("http")
    if not http:
        return None
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("bench: matplotlib is not installed; no chart written")
        return None
    rows = http["endpoints"]
    names = [row["name"] for row in rows]
    ratios = [row["ratio_median"] for row in rows]
    low = [row["ratio_median"] - row["ratio_min"] for row in rows]
    high = [row["ratio_max"] - row["ratio_median"] for row in rows]
    figure, axis = plt.subplots(figsize=(10, 0.45 * len(rows) + 1.5))
    positions = range(len(rows))
    axis.barh(positions, ratios, xerr=[low, high], color="#5b8def", capsize=3)
    for y, row in zip(positions, rows, strict=True):
        if row["target"] is not None:
            axis.plot([row["target"]] * 2, [y - 0.4, y + 0.4], color="#2a9d4b")
        if row["floor"] is not None:
            axis.plot([row["floor"]] * 2, [y - 0.4, y + 0.4], color="#d1495b")
    axis.axvline(1.0, color="#555", linestyle="--", linewidth=1)
    axis.set_yticks(list(positions), names)
    axis.invert_yaxis()
    axis.set_xlabel("req/s relative to the one-query unit (median of rounds)")
    axis.set_title(f"KAYA bench {document['started']}: green = target, red = floor")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path
