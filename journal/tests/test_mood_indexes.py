"""Mood entries and tags carry no single-column index on a foreign key that a
composite index already leads with (migration 0009): one index update fewer per
row written, and a date range of history reads the (user, local_date) index."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection

from journal import selectors
from journal.models import MoodEntry, MoodTag
from journal.tests.factories import MoodEntryFactory

pytestmark = pytest.mark.django_db


def _single_column_indexes(table: str) -> set[str]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return {
        info["columns"][0]
        for info in constraints.values()
        if info["index"]
        and not info["unique"]
        and not info["primary_key"]
        and len(info["columns"]) == 1
    }


def test_no_foreign_key_index_a_composite_index_already_leads_with():
    assert _single_column_indexes(MoodEntry._meta.db_table) == set()
    assert _single_column_indexes(MoodTag._meta.db_table) == set()


@pytest.mark.postgres
def test_mood_history_range_reads_the_user_day_index(user, other_user):
    today = date(2026, 6, 30)
    MoodEntry.objects.bulk_create(
        MoodEntryFactory.build(
            user=owner, local_date=today - timedelta(days=n % 400), score=3
        )
        for owner in (user, other_user)
        for n in range(800)
    )
    date_from = today - timedelta(days=29)
    queries = [
        selectors.mood_entry_list(user=user, date_from=date_from, date_to=today),
        MoodEntry.objects.for_user(user)
        .filter(local_date__gte=date_from, local_date__lte=today)
        .order_by()
        .values("local_date")
        .distinct(),
    ]
    assert (
        len(
            selectors.mood_history(user=user, date_from=date_from, date_to=today)[
                "days"
            ]
        )
        == 30
    )
    with connection.cursor() as cursor:
        # A test table is small enough for a sequential scan; with it priced
        # out, the plan shows which index keeps the range.
        cursor.execute("ANALYZE journal_moodentry")
        cursor.execute("SET LOCAL enable_seqscan = off")
        for query in queries:
            sql, params = query.query.sql_with_params()
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall()).split("SubPlan")[0]
            assert "journal_mood_user_day_idx" in plan, plan
            assert "Rows Removed" not in plan and "Filter: ((local_date" not in plan, (
                plan
            )
