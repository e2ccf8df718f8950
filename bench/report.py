"""The printed table and the PNG chart of one `make bench` run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench.websocket import BROADCAST_TARGET, PUSH_TARGET

# The push target is stated for 1,000 connected sockets.
PUSH_AT = 1000


def _verdict(row: dict[str, Any]) -> str:
    ratio, target, floor = row["ratio_median"], row["target"], row["floor"]
    verdicts = []
    if target is not None:
        if ratio >= target:
            verdicts.append("target met")
        elif floor is not None and ratio >= floor:
            verdicts.append("above floor")
        else:
            verdicts.append("BELOW FLOOR")
    p99_target = row.get("p99_target_ms")
    if p99_target is not None:
        met = "met" if row["p99_ms"] < p99_target else "MISSED"
        verdicts.append(
            f"p99 < {p99_target:.0f} ms at {row['connections']} connections {met}"
        )
    return "; ".join(verdicts)


def sweep_table(sweep: dict[str, Any]) -> list[str]:
    """`--sweep`: each endpoint on each gunicorn configuration, absolute."""
    loads = ", ".join(f"{value:.1f}" for value in sweep["load_average_1min"])
    lines = [
        f"\ngunicorn configurations side by side ({sweep['rounds']} rounds of "
        f"{sweep['seconds']} s, {sweep['connections']} connections unless shown; "
        f"1-minute load average at the start and after each round: {loads})",
    ]
    header = (
        f"{'endpoint':<30} {'config':<12} {'conn':>4} {'req/s':>7} "
        f"{'spread':>11} {'p50 ms':>7} {'p99 ms':>7} {'app ms':>7} {'pg ms':>6}"
    )
    lines += [header, "-" * len(header)]
    for row in sweep["endpoints"]:
        for name, figures in row["configs"].items():
            lines.append(
                f"{row['name']:<30} {name:<12} {row['connections']:>4} "
                f"{figures['rps_median']:7.0f} "
                f"{figures['rps_min']:5.0f}-{figures['rps_max']:<5.0f} "
                f"{figures['p50_ms']:7.1f} {figures['p99_ms']:7.1f} "
                f"{figures['app_cpu_ms']:7.2f} {figures['pg_cpu_ms']:6.2f}"
            )
    for config in sweep["configs"]:
        rss = ", ".join(f"{value:.0f}" for value in config["worker_rss_mb"])
        lines.append(f"{config['name']}: worker RSS after the sweep (MB): {rss}")
    return lines


def table(document: dict[str, Any]) -> str:
    lines = []
    if document.get("sweep"):
        lines += sweep_table(document["sweep"])
    http = document.get("http")
    if http:
        unit = http["unit"]
        lines.append(
            f"\nunit /bench/one: {unit['rps_median']:.0f} req/s median, "
            f"{unit['app_cpu_ms']:.2f} ms app CPU, {unit['queries']} query, "
            f"{http['connections']} connections"
        )
        header = (
            f"{'endpoint':<34} {'ratio':>6} {'spread':>11} {'req/s':>7} "
            f"{'p50 ms':>7} {'p99 ms':>7} {'app ms':>7} {'pg ms':>6} {'q':>3} "
            f"{'conn':>4}  {'target':>6}  verdict"
        )
        lines += [header, "-" * len(header)]
        for row in http["endpoints"]:
            target = f"{row['target']:.2f}" if row["target"] is not None else "-"
            lines.append(
                f"{row['name']:<34} {row['ratio_median']:6.2f} "
                f"{row['ratio_min']:5.2f}-{row['ratio_max']:<5.2f} "
                f"{row['rps_median']:7.0f} {row['p50_ms']:7.1f} {row['p99_ms']:7.1f} "
                f"{row['app_cpu_ms']:7.2f} {row['pg_cpu_ms']:6.2f} "
                f"{row['queries'] if row['queries'] is not None else '-':>3} "
                f"{row.get('connections', http['connections']):>4}  "
                f"{target:>6}  {_verdict(row)}"
            )
        rss = ", ".join(f"{value:.0f}" for value in http["worker_rss_mb"])
        lines.append(f"gunicorn worker RSS after the run (MB): {rss}")
        lines += _node_lines(http)
    for row in document.get("websocket") or []:
        verdict = _ws_verdict(row, PUSH_TARGET) if row["connected"] >= PUSH_AT else ""
        lines.append(
            f"websocket push, {row['connected']:>5} connected: p50 "
            f"{row['p50_ms'] or 0:.1f} ms, p99 {row['p99_ms'] or 0:.1f} ms, "
            f"delivered {row['delivered']}/{row['sampled']}, daphne "
            f"{row['daphne_rss_mb']:.0f} MB ({row['rss_kb_per_socket']:.1f} KB/socket)"
            + (f"  {verdict}" if verdict else "")
        )
    row = document.get("websocket_broadcast")
    if row:
        lines.append(
            f"websocket broadcast to {row['subscribed']} subscribers "
            f"({row['posts']} posts): p50 {row['p50_ms'] or 0:.1f} ms, p99 "
            f"{row['p99_ms'] or 0:.1f} ms, delivered "
            f"{row['delivered']}/{row['expected']}  "
            + _ws_verdict(row, BROADCAST_TARGET)
        )
    return "\n".join(lines)


def _node_lines(http: dict[str, Any]) -> list[str]:
    """KAYA against the seed's stack (`--node`), endpoint by endpoint."""
    rows = [row for row in http["endpoints"] if row.get("node")]
    if not rows:
        return []
    header = (
        f"{'KAYA vs Node (Express 5 + Prisma 7)':<34} {'KAYA/Node':>9} {'spread':>11} "
        f"{'KAYA r/s':>8} {'Node r/s':>8} {'Node ratio':>10} {'KAYA ms':>7} "
        f"{'Node ms':>7} {'Node p99':>8}"
    )
    lines = ["", header, "-" * len(header)]
    for row in rows:
        node = row["node"]
        lines.append(
            f"{row['name']:<34} {node['kaya_over_node_median']:9.2f} "
            f"{node['kaya_over_node_min']:5.2f}-{node['kaya_over_node_max']:<5.2f} "
            f"{row['rps_median']:8.0f} {node['rps_median']:8.0f} "
            f"{node['ratio_median']:10.2f} {row['app_cpu_ms']:7.2f} "
            f"{node['app_cpu_ms']:7.2f} {node['p99_ms']:8.1f}"
        )
    rss = ", ".join(f"{value:.0f}" for value in http.get("node_worker_rss_mb", []))
    lines.append(
        f"Node worker RSS after the run (MB): {rss}; JSON equal on "
        f"{http.get('json_compared', 0)} compared requests"
    )
    return lines


def _ws_verdict(row: dict[str, Any], limits: tuple[float, float]) -> str:
    """Targets on p99 (ms) and delivery: every event must arrive."""
    target, floor = limits
    p99, rate = row["p99_ms"], row["delivery_rate"]
    if p99 is None or rate < 1:
        return "BELOW FLOOR (events lost)"
    if p99 <= target:
        return f"target met (p99 <= {target:.0f} ms)"
    if p99 <= floor:
        return f"above floor (p99 <= {floor:.0f} ms)"
    return f"BELOW FLOOR (p99 > {floor:.0f} ms)"


def _ws_rows(document: dict[str, Any]) -> list[tuple[str, float, float, float]]:
    """(label, p99 ms, target, floor) for the websocket part of the chart."""
    rows = []
    for row in document.get("websocket") or []:
        if row["connected"] >= PUSH_AT and row["p99_ms"] is not None:
            rows.append(
                (
                    f"push, {row['connected']} connected",
                    row["p99_ms"],
                    *PUSH_TARGET,
                )
            )
    broadcast = document.get("websocket_broadcast")
    if broadcast and broadcast["p99_ms"] is not None:
        rows.append(
            (
                f"broadcast to {broadcast['subscribed']}",
                broadcast["p99_ms"],
                *BROADCAST_TARGET,
            )
        )
    return rows


def chart(document: dict[str, Any], path: Path) -> Path | None:
    http = document.get("http")
    ws_rows = _ws_rows(document)
    if not http and not ws_rows:
        return None
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("bench: matplotlib is not installed; no chart written")
        return None
    rows = http["endpoints"] if http else []
    heights = [0.45 * len(rows) + 1.5] if rows else []
    if ws_rows:
        heights.append(0.45 * len(ws_rows) + 1.2)
    figure, axes = plt.subplots(
        len(heights),
        1,
        figsize=(10, sum(heights)),
        gridspec_kw={"height_ratios": heights},
        squeeze=False,
    )
    if rows:
        _http_axis(axes[0][0], rows, document)
    if ws_rows:
        _ws_axis(axes[-1][0], ws_rows)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def _ws_axis(axis: Any, rows: list[tuple[str, float, float, float]]) -> None:
    positions = range(len(rows))
    axis.barh(positions, [row[1] for row in rows], color="#8e6bd6")
    for y, (_, _, target, floor) in zip(positions, rows, strict=True):
        axis.plot([target] * 2, [y - 0.4, y + 0.4], color="#2a9d4b")
        axis.plot([floor] * 2, [y - 0.4, y + 0.4], color="#d1495b")
    axis.set_yticks(list(positions), [row[0] for row in rows])
    axis.invert_yaxis()
    axis.set_xlabel("websocket p99 ms, REST call to receipt (lower is better)")


def _http_axis(axis: Any, rows: list[dict[str, Any]], document: dict[str, Any]) -> None:
    names = [row["name"] for row in rows]
    ratios = [row["ratio_median"] for row in rows]
    low = [row["ratio_median"] - row["ratio_min"] for row in rows]
    high = [row["ratio_max"] - row["ratio_median"] for row in rows]
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
