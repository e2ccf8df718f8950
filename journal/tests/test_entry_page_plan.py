"""The journal page's statement (prepared on the server, one generic plan for
every user: kaya.db.planned_once_cursor) reads a user's live entries in the
order of journal_entry_live_at_idx: no sort of the whole history, no
tombstones filtered out row by row; and each entry's tags, in order, from
journal_tag_entry_idx alone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from journal.models import JournalEntry, JournalTag
from journal.tests.factories import JournalEntryFactory
from kaya.testing import prepared_plan, prepared_plans

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_the_page_reads_the_live_entries_index_in_order(user, other_user, auth_client):
    now = timezone.now()
    JournalEntry.objects.bulk_create(
        JournalEntryFactory.build(
            user=owner,
            occurred_at=now - timedelta(hours=n),
            deleted_at=now if n % 4 == 0 else None,
        )
        for owner in (user, other_user)
        for n in range(600)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE journal_journalentry")
    for _ in range(2):
        response = auth_client.get("/api/v1/journal?page_size=20")
        assert response.status_code == 200
        assert response.json()["count"] == 450
    [(name, generic_plans, custom_plans)] = prepared_plans(
        '%FROM "journal_journalentry" LEFT OUTER JOIN%LIMIT%'
    )
    assert (generic_plans, custom_plans) == (2, 0)
    # The plan the page ran (generic: the values do not change it). Its
    # parameters: the user (the count), the user (the page), LIMIT, OFFSET.
    plan = prepared_plan(name, user.pk, user.pk, 20, 0)
    # The page: after the count (an InitPlan; on a test's small table, a
    # sequential scan) and before the tags' subplan.
    page = plan.split("Nested Loop Left Join")[1].split("SubPlan")[0]
    assert "Index Scan using journal_entry_live_at_idx" in page, plan
    # No sort, and no row filtered out one by one (a tombstone). The join to
    # the prompts may show a "Join Filter" (a nested loop over that small
    # table, when its statistics say it is empty): not a filter of the entries.
    filters = [line for line in page.splitlines() if line.strip().startswith("Filter")]
    assert "Sort" not in page and not filters, plan


@pytest.mark.django_db(transaction=True)
def test_each_entrys_tags_are_read_in_order_from_the_index_alone(user, auth_client):
    now = timezone.now()
    entries = JournalEntry.objects.bulk_create(
        JournalEntryFactory.build(user=user, occurred_at=now - timedelta(hours=n))
        for n in range(300)
    )
    JournalTag.objects.bulk_create(
        JournalTag(entry=entry, user=user, name=name)
        for entry in entries
        for name in ("work", "sleep")
    )
    with connection.cursor() as cursor:
        # As autovacuum keeps a served database: the visibility map set, so
        # an index-only scan need not visit the heap.
        cursor.execute("VACUUM ANALYZE journal_journaltag")
        cursor.execute("VACUUM ANALYZE journal_journalentry")
    for _ in range(2):
        response = auth_client.get("/api/v1/journal?page_size=20")
        assert response.status_code == 200
        assert response.json()["results"][0]["tags"] == ["work", "sleep"]
    [(name, *_)] = prepared_plans('%FROM "journal_journalentry" LEFT OUTER JOIN%LIMIT%')
    plan = prepared_plan(name, user.pk, user.pk, 20, 0)
    tags = plan.split("SubPlan")[1]
    assert "Index Only Scan using journal_tag_entry_idx" in tags, plan
    assert "Sort" not in tags, plan
