"""The staff dashboard on the admin index: the last 90 days in figures.

Every series is one aggregated query (grouped by day in SQL, never a row per
user), cached for ``DASHBOARD_CACHE_SECONDS``, and drawn server-side as inline
SVG (no script, no CDN). Activity days are the members' own local dates (the
``local_date`` their sessions and moods carry); sign-ups and community counts
are grouped by UTC date.

Crisis has two series, kept apart because they count different things:
"Crisis referrals (AI companion)" is the product's referral count, the
per-UTC-day ``coaching.AICrisisReferralDay`` counter (each time the companion
answered with crisis resources; no user, no content), and "Crisis-flagged posts
and comments" counts community posts and comments the crisis check flagged
(which routes them to moderators, not a referral). Adding them would count one
person's crisis twice when they both post and chat.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import Avg, Count
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

DAYS = 90
DASHBOARD_CACHE_SECONDS = 300
CACHE_KEY = "kaya:staff-dashboard:v2"


@dataclass
class Series:
    label: str
    values: list[float | None]
    unit: str = ""

    @property
    def total(self) -> float:
        return sum(v for v in self.values if v is not None)

    @property
    def latest(self) -> float | None:
        return next((v for v in reversed(self.values) if v is not None), None)


def _days(today: date) -> list[date]:
    return [today - timedelta(days=DAYS - 1 - i) for i in range(DAYS)]


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str):  # SQLite returns raw SQL dates as text
        return date.fromisoformat(value[:10])
    return value


def _fill(days: list[date], rows: dict[date, float]) -> list[float | None]:
    return [rows.get(day) for day in days]


def _counts(days: list[date], rows: dict[date, float]) -> list[float | None]:
    return [rows.get(day, 0) for day in days]


def _daily_active_users(start: date) -> dict[date, float]:
    from journal.models import MoodEntry
    from wellness.models import WellnessSession

    # One member active on a day through both a session and a mood counts once;
    # the ORM cannot group over a UNION. Table names come from model metadata.
    tables = [
        connection.ops.quote_name(model._meta.db_table)
        for model in (WellnessSession, MoodEntry)
    ]
    select = "SELECT local_date, user_id FROM {} WHERE local_date >= %s"
    active = " UNION ".join(select.format(table) for table in tables)
    sql = f"SELECT local_date, COUNT(DISTINCT user_id) FROM ({active}) AS a"  # noqa: S608
    sql += " GROUP BY local_date"
    with connection.cursor() as cursor:
        cursor.execute(sql, [start] * len(tables))
        return {_as_date(day): count for day, count in cursor.fetchall()}


def dashboard_build(*, today: date | None = None) -> dict[str, Any]:
    """The dashboard's series, computed now (nine aggregated queries)."""
    from accounts.models import User
    from coaching.models import AICrisisReferralDay
    from community.models import Comment, Post, Report
    from journal.models import MoodEntry
    from wellness.models import SessionType, WellnessSession

    today = today or timezone.now().astimezone(UTC).date()
    days = _days(today)
    start = days[0]
    since = datetime.combine(start, datetime.min.time(), tzinfo=UTC)
    utc_day = TruncDate("created_at", tzinfo=UTC)

    by_type: dict[str, dict[date, float]] = {}
    for row in (
        WellnessSession.objects.filter(local_date__gte=start)
        .values("local_date", "type")
        .annotate(n=Count("id"))
        .order_by()
    ):
        by_type.setdefault(row["type"], {})[row["local_date"]] = row["n"]

    mood = {
        row["local_date"]: round(float(row["avg"]), 2)
        for row in MoodEntry.objects.filter(local_date__gte=start)
        .values("local_date")
        .annotate(avg=Avg("score"))
        .order_by()
    }
    signups = {
        row["day"]: row["n"]
        for row in User.objects.filter(date_joined__gte=since)
        .annotate(day=TruncDate("date_joined", tzinfo=UTC))
        .values("day")
        .annotate(n=Count("id"))
        .order_by()
    }
    reports = {
        row["day"]: row["n"]
        for row in Report.objects.filter(created_at__gte=since)
        .annotate(day=utc_day)
        .values("day")
        .annotate(n=Count("id"))
        .order_by()
    }
    crisis: dict[date, float] = {}
    for model in (Post, Comment):
        for row in (
            model.objects.filter(crisis_flagged=True, created_at__gte=since)
            .annotate(day=utc_day)
            .values("day")
            .annotate(n=Count("id"))
            .order_by()
        ):
            crisis[row["day"]] = crisis.get(row["day"], 0) + row["n"]
    # Already one row per day: the stored counter, no aggregation over users.
    referrals: dict[date, float] = dict(
        AICrisisReferralDay.objects.filter(date__gte=start, date__lte=today)
        .order_by()
        .values_list("date", "count")
    )

    return {
        "days": days,
        "series": [
            Series("Daily active members", _counts(days, _daily_active_users(start))),
            Series("New sign-ups", _counts(days, signups)),
            Series("Average mood (1-5)", _fill(days, mood), unit="/5"),
            Series("Reports filed", _counts(days, reports)),
            Series("Crisis referrals (AI companion)", _counts(days, referrals)),
            Series("Crisis-flagged posts and comments", _counts(days, crisis)),
        ],
        "sessions": [
            Series(str(label), _counts(days, by_type.get(value, {})))
            for value, label in SessionType.choices
        ],
        "open_reports": Report.objects.filter(status=Report.Status.OPEN).count(),
        "built_at": timezone.now(),
    }


def dashboard_data() -> dict[str, Any]:
    """The dashboard, from the cache when it was built in the last minutes."""
    data = cache.get(CACHE_KEY)
    if data is None:
        data = dashboard_build()
        cache.set(CACHE_KEY, data, DASHBOARD_CACHE_SECONDS)
    return data


def bar_chart(series: Series, days: list[date]) -> SafeString:
    """An inline SVG bar chart, one bar per day, with a tooltip per bar."""
    width, height, bar = DAYS * 4, 48, 3
    peak = max((v for v in series.values if v), default=0) or 1
    bars = []
    for i, (day, value) in enumerate(zip(days, series.values, strict=True)):
        if not value:
            continue
        h = max(1.0, round(height * value / peak, 1))
        bars.append(
            (
                i * 4,
                round(height - h, 1),
                bar,
                h,
                f"{day.isoformat()}: {value:g}{series.unit}",
            )
        )
    return format_html(
        '<svg class="kaya-chart" role="img" width="{}" height="{}" '
        'viewBox="0 0 {} {}" aria-label="{}">{}</svg>',
        width,
        height,
        width,
        height,
        series.label,
        format_html_join(
            "",
            '<rect x="{}" y="{}" width="{}" height="{}"><title>{}</title></rect>',
            bars,
        ),
    )
