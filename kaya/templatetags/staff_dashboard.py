"""``{% staff_dashboard %}``: the dashboard block of the admin index."""

from __future__ import annotations

from typing import Any

from django import template

from kaya.dashboard import bar_chart, dashboard_data

register = template.Library()


@register.inclusion_tag("admin/kaya_dashboard.html")
def staff_dashboard() -> dict[str, Any]:
    data = dashboard_data()
    days = data["days"]

    def rows(series_list: list) -> list[dict[str, Any]]:
        return [
            {
                "label": s.label,
                "chart": bar_chart(s, days),
                "total": s.total,
                "latest": s.latest,
                "unit": s.unit,
            }
            for s in series_list
        ]

    return {
        "first_day": days[0],
        "last_day": days[-1],
        "series": rows(data["series"]),
        "sessions": rows(data["sessions"]),
        "open_reports": data["open_reports"],
        "built_at": data["built_at"],
    }
