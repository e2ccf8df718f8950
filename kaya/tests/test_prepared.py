"""kaya.prepared: a selector's SQL built once per shape and run with new values,
held to the selector's own queryset (other users' rows, deleted rows, every
filter), on the embedded default and on PostgreSQL alike."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.paginator import EmptyPage, Paginator
from django.db.models import Exists, OuterRef, Q, Value
from django.test import override_settings
from django.utils import timezone

from journal import services as journal_services
from journal.models import JournalEntry, MoodEntry, MoodTag
from journal.selectors import journal_entry_list
from journal.tests.factories import JournalEntryFactory, MoodEntryFactory, PromptFactory
from kaya.pagination import CountedPaginator
from kaya.prepared import PreparedQuery
from kaya.testing import prepared_statements
from wellness.models import SessionType, WellnessSession
from wellness.selectors import session_list
from wellness.selectors.sessions import SESSION_FIELDS
from wellness.tests.factories import ProgramEnrollmentFactory, WellnessSessionFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()
ENTRY_FIELDS = (
    "id",
    "title",
    "body",
    "tag_names",
    "mood_entry_id",
    "client_id",
    "occurred_at",
    "local_date",
    "created_at",
    "updated_at",
    "deleted_at",
)
# Encrypted text, a list of tags per row, a related row that may be missing.
session_rows = PreparedQuery(session_list, fields=SESSION_FIELDS)
journal_entry_rows = PreparedQuery(
    journal_entry_list, fields=(*ENTRY_FIELDS, "prompt__id", "prompt__text")
)


def _sessions(user, days, **kwargs):
    return [
        WellnessSessionFactory(
            user=user,
            started_at=NOW - timedelta(days=day, hours=1),
            local_date=(NOW - timedelta(days=day)).date(),
            **kwargs,
        )
        for day in days
    ]


def _with_client_ids(sessions):
    for session in sessions:
        session.client_id = uuid.uuid4()
        session.save(update_fields=["client_id"])
    return sessions


def _session_values(row):
    return [getattr(row, name) for name in SESSION_FIELDS]


def _entry_values(row):
    prompt = row.prompt
    return [getattr(row, name) for name in ENTRY_FIELDS] + [
        None if prompt is None else (prompt.pk, prompt.text)
    ]


@pytest.fixture
def sessions(user, other_user):
    enrollment = ProgramEnrollmentFactory(user=user)
    mine = _with_client_ids(
        _sessions(
            user,
            range(6),
            notes="Felt the breath slow down.",
            enrollment=enrollment,
            mood_before=2,
        )
    )
    mine += _sessions(user, [2, 4], type=SessionType.YOGA)
    mine += _sessions(
        user, [3], status=WellnessSession.Status.ABANDONED, abandoned_at=NOW
    )
    _sessions(other_user, range(5))
    _sessions(other_user, [1, 2], type=SessionType.YOGA)
    return mine


FILTERS = [
    {},
    {"type": SessionType.YOGA},
    {"type": SessionType.SLEEP},
    {"status": WellnessSession.Status.ABANDONED},
    {"date_from": (NOW - timedelta(days=3)).date()},
    {"date_to": (NOW - timedelta(days=2)).date()},
    {
        "date_from": (NOW - timedelta(days=4)).date(),
        "date_to": (NOW - timedelta(days=1)).date(),
        "type": SessionType.MEDITATION,
    },
    {"updated_since": NOW - timedelta(minutes=5)},
    {"updated_since": NOW + timedelta(minutes=5)},
    {"type": "", "status": ""},
]


@pytest.mark.parametrize("filters", FILTERS)
def test_rows_are_the_selectors_rows(user, other_user, sessions, filters):
    for owner in (user, other_user):
        expected = list(session_list(user=owner, **filters))

        rows = session_rows(user=owner, **filters).all()

        assert [row.pk for row in rows] == [session.pk for session in expected]
        assert [_session_values(row) for row in rows] == [
            _session_values(session) for session in expected
        ]


def test_a_changed_value_changes_the_rows(user, other_user, sessions):
    def pks(**values):
        return [row.pk for row in session_rows(**values).all()]

    # One shape each: the second call runs the first call's statement.
    assert pks(user=user) != pks(user=other_user)
    assert set(pks(user=other_user)) == set(
        WellnessSession.objects.filter(user=other_user).values_list("pk", flat=True)
    )
    yoga, sleep = SessionType.YOGA, SessionType.SLEEP
    assert len(pks(user=user, type=yoga)) == 2
    assert pks(user=user, type=sleep) == []
    day = (NOW - timedelta(days=3)).date()
    assert len(pks(user=user, date_from=day)) == 6
    assert len(pks(user=user, date_from=day - timedelta(days=2))) == 9
    assert len(pks(user=user, updated_since=NOW - timedelta(minutes=5))) == 9
    assert pks(user=user, updated_since=NOW + timedelta(minutes=5)) == []


@pytest.mark.parametrize("filters", [{}, {"type": SessionType.YOGA}])
@pytest.mark.parametrize("per_page", [1, 2, 4, 20])
def test_every_page_and_total_match_djangos_paginator(
    user, sessions, filters, per_page
):
    django = Paginator(session_list(user=user, **filters), per_page)
    for number in range(1, django.num_pages + 1):
        expected = django.page(number)
        paginator = CountedPaginator(session_rows(user=user, **filters), per_page)

        page = paginator.page(number)

        assert [row.pk for row in page] == [row.pk for row in expected]
        assert (paginator.count, paginator.num_pages) == (
            django.count,
            django.num_pages,
        )
        assert page.has_next() == expected.has_next()
    with pytest.raises(EmptyPage):
        CountedPaginator(session_rows(user=user, **filters), per_page).page(
            django.num_pages + 1
        )


def test_an_empty_first_page_counts_zero(user, other_user):
    _sessions(other_user, range(3))
    paginator = CountedPaginator(session_rows(user=user), 20)

    page = paginator.page(1)

    assert (list(page), paginator.count, paginator.num_pages) == ([], 0, 1)


def test_a_page_is_one_query(user, sessions, django_assert_num_queries):
    session_rows(user=user).page(offset=0, limit=2)  # the shape, built once
    with django_assert_num_queries(1):
        rows, total = session_rows(user=user).page(offset=2, limit=2)
    assert (len(rows), total) == (2, 9)


def test_orphans_and_count_take_the_selectors_queryset(user, sessions):
    paginator = CountedPaginator(session_rows(user=user), 4, orphans=1)

    page = paginator.page(2)

    assert (len(page), paginator.count) == (5, 9)
    assert isinstance(page[0], WellnessSession)
    assert session_rows(user=user, type=SessionType.YOGA).count() == 2


def _journal(user, other_user):
    prompt = PromptFactory(text="What helped today?")
    mood = MoodEntryFactory(user=user)
    entries = [
        JournalEntryFactory(
            user=user, occurred_at=NOW - timedelta(hours=n), title=f"Entry {n}"
        )
        for n in range(5)
    ]
    entries[1].prompt = prompt
    entries[1].mood_entry = mood
    entries[1].save()
    journal_services.journal_entry_update(entry=entries[2], tags=["sleep", "calm"])
    journal_services.journal_entry_update(entry=entries[3], tags=["calm"])
    journal_services.journal_entry_delete(entry=entries[4])
    JournalEntryFactory(user=other_user, occurred_at=NOW)
    return entries


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"tag": "calm"},
        {"tag": "work"},
        {"updated_since": NOW - timedelta(days=1)},
        {"updated_since": NOW - timedelta(days=1), "tag": "calm"},
        {"date_from": NOW.date(), "date_to": NOW.date()},
        {"include_deleted": True},
    ],
)
def test_journal_rows_are_the_selectors_rows_deleted_ones_included(
    user, other_user, filters
):
    _journal(user, other_user)
    for owner in (user, other_user):
        expected = list(journal_entry_list(user=owner, **filters))

        rows = journal_entry_rows(user=owner, **filters).all()

        assert [_entry_values(row) for row in rows] == [
            _entry_values(entry) for entry in expected
        ]


def test_journal_rows_carry_their_prompt_tags_and_tombstones(user, other_user):
    entries = _journal(user, other_user)

    live = {row.pk: row for row in journal_entry_rows(user=user).all()}
    synced = {
        row.pk: row
        for row in journal_entry_rows(
            user=user, updated_since=NOW - timedelta(days=1)
        ).all()
    }

    assert sorted(live) == sorted(entry.pk for entry in entries[:4])
    assert (live[entries[1].pk].prompt.pk, live[entries[1].pk].prompt.text) == (
        entries[1].prompt_id,
        "What helped today?",
    )
    assert live[entries[0].pk].prompt is None
    assert live[entries[2].pk].tag_names == ["sleep", "calm"]
    assert live[entries[1].pk].body.startswith("Some private words.")
    tombstone = synced[entries[4].pk]
    assert (tombstone.body, tombstone.tag_names) == ("", [])
    assert tombstone.deleted_at is not None
    assert JournalEntry.objects.get(pk=entries[4].pk).deleted_at == tombstone.deleted_at


def test_a_shape_is_built_once(user, other_user, sessions):
    calls = []

    def listed(**values):
        calls.append(values)
        return session_list(**values)

    prepared = PreparedQuery(listed, fields=("id",))

    prepared(user=user).all()
    prepared(user=other_user).all()
    prepared(user=user, type=SessionType.YOGA).all()
    prepared(user=other_user, type=SessionType.SLEEP).all()
    prepared(user=user, type="").all()

    # Two builds for each of three shapes: user; user and type; user alone
    # with an empty type (passed as it is).
    assert len(calls) == 6
    assert calls[-1]["type"] == ""


def test_settings_that_change_the_sql_build_it_again(user, sessions):
    calls = []

    def listed(**values):
        calls.append(values)
        return session_list(**values)

    prepared = PreparedQuery(listed, fields=("id",))
    prepared(user=user).all()
    with override_settings(TIME_ZONE="Asia/Kolkata"):
        assert len(prepared(user=user).all()) == 9

    assert len(calls) == 4


def _refused(select, **values):
    with pytest.raises(ImproperlyConfigured):
        PreparedQuery(select, fields=("id",))(**values).all()


def test_a_value_computed_from_a_given_one_is_refused(user):
    _refused(
        lambda *, user, day: WellnessSession.objects.filter(
            user=user, local_date__gte=day + timedelta(days=1)
        ),
        user=user,
        day=NOW.date(),
    )
    _refused(
        lambda *, user, title: WellnessSession.objects.filter(
            user=user, title__icontains=title
        ),
        user=user,
        title="sit",
    )


def test_the_clock_and_the_time_zone_are_refused(user):
    _refused(
        lambda *, user: WellnessSession.objects.filter(
            user=user, started_at__lte=timezone.now()
        ),
        user=user,
    )
    # The local date of an instant is computed in the current time zone.
    _refused(
        lambda *, user, day: WellnessSession.objects.filter(
            user=user, started_at__date=day
        ),
        user=user,
        day=NOW.date(),
    )


def test_a_value_written_into_the_sql_text_is_refused(user):
    _refused(
        lambda *, user, seconds: WellnessSession.objects.filter(user=user).extra(
            where=[f"planned_duration_seconds > {int(seconds)}"]
        ),
        user=user,
        seconds=60,
    )


def test_a_user_stands_in_as_its_key_only(user):
    def by_zone(*, user):
        return WellnessSession.objects.filter(Q(user=user) | Q(title=user.timezone))

    with pytest.raises(AttributeError, match="timezone"):
        PreparedQuery(by_zone, fields=("id",))(user=user).all()


def test_values_it_cannot_fill_are_refused(user):
    prepared = PreparedQuery(session_list, fields=("id",))
    with pytest.raises(TypeError):
        prepared(user=user, type=["yoga"]).all()


def test_what_cannot_be_read_in_one_statement_is_refused(user):
    _refused(
        lambda *, user: WellnessSession.objects.filter(user=user).prefetch_related(
            "enrollment"
        ),
        user=user,
    )
    with pytest.raises(ImproperlyConfigured):
        PreparedQuery(
            lambda *, user: WellnessSession.objects.filter(user=user).distinct(),
            fields=("id",),
        )(user=user).page(offset=0, limit=2)


def test_a_selector_that_matches_nothing_reads_no_rows(
    user, sessions, django_assert_num_queries
):
    prepared = PreparedQuery(
        lambda *, user: WellnessSession.objects.filter(user=user, pk__in=[]),
        fields=("id",),
    )
    with django_assert_num_queries(0):
        assert prepared(user=user).all() == []
        assert prepared(user=user).page(offset=0, limit=2) == ([], None)


def test_a_related_row_needs_its_key(user):
    with pytest.raises(ImproperlyConfigured, match="prompt__id"):
        PreparedQuery(journal_entry_list, fields=("id", "prompt__text"))(
            user=user
        ).all()


def _moods_since(*, user_id, date_from):
    return (
        MoodEntry.objects.filter(user_id=user_id, local_date__gte=date_from)
        .annotate(
            tagged=Exists(MoodTag.objects.filter(entry=OuterRef("pk"))),
            flag=Value(False),
        )
        .order_by("id")
    )


def test_annotations_and_integer_keys_read_as_the_querysets(user, other_user):
    # A plain integer id and a date as values; annotation columns (a boolean
    # subquery, a constant) converted as Django converts them.
    for day in (date(2026, 4, 1), date(2026, 4, 2), date(2026, 4, 3)):
        MoodEntryFactory(user=user, local_date=day, note=f"Note {day}")
        MoodEntryFactory(user=other_user, local_date=day)
    tagged = MoodEntryFactory(user=user, local_date=date(2026, 4, 3))
    MoodTag.objects.create(
        entry=tagged,
        user=user,
        local_date=tagged.local_date,
        kind=MoodTag.Kind.EMOTION,
        value="calm",
    )
    fields = ("id", "note", "local_date", "tagged", "flag")
    prepared = PreparedQuery(_moods_since, fields=fields)

    for owner in (user, other_user):
        for since in (date(2026, 4, 2), date(2026, 4, 4)):
            rows = prepared(user_id=owner.pk, date_from=since).all()
            expected = _moods_since(user_id=owner.pk, date_from=since)
            assert rows == list(expected.values_list(*fields))
            assert all(type(row.tagged) is bool for row in rows)
    rows = prepared(user_id=user.pk, date_from=date(2026, 4, 3)).all()
    assert [(row.note, row.tagged, row.flag) for row in rows] == [
        ("Note 2026-04-03", False, False),
        (tagged.note, True, False),
    ]


def test_an_integer_column_is_filled_as_its_lookup_prepares_it(user, other_user):
    # A 32-bit column (Int4 on PostgreSQL): the value lands in its slot and is
    # filled as the lookup's own type.
    for seconds in (60, 300, 900):
        WellnessSessionFactory(user=user, planned_duration_seconds=seconds)
        WellnessSessionFactory(user=other_user, planned_duration_seconds=seconds)

    def longer(*, user, seconds):
        return WellnessSession.objects.filter(
            user=user, planned_duration_seconds__gte=seconds
        ).order_by("id")

    fields = ("id", "planned_duration_seconds")
    prepared = PreparedQuery(longer, fields=fields)
    for owner in (user, other_user):
        for seconds in (61, 900, 901):
            rows = prepared(user=owner, seconds=seconds).all()
            assert rows == list(
                longer(user=owner, seconds=seconds).values_list(*fields)
            )
    rows = prepared(user=user, seconds=61).all()
    assert [row.planned_duration_seconds for row in rows] == [300, 900]


def test_a_value_that_is_not_in_the_sql_is_refused(user):
    def ignores(*, user, limit):
        return MoodEntry.objects.filter(user=user).order_by("id")

    with pytest.raises(ImproperlyConfigured, match="limit"):
        PreparedQuery(ignores, fields=("id",))(user=user, limit=5).all()


JSON_VALUES = [
    [],
    ["sleep", "anxiety"],
    {"nested": [1, None, True, "é ✓"], "": 0.1},
    [2**70, -(2**64), 1.5, 0.1],  # orjson would read the first two as floats
    "a string",
]


def test_json_columns_read_as_the_querysets(user):
    from community.selectors import post_feed, post_feed_rows
    from community.tests.factories import PostFactory

    for value in JSON_VALUES:
        PostFactory(author=user, topics=value)

    expected = [post.topics for post in post_feed(user=user).order_by("pk")]
    rows = sorted(post_feed_rows(user=user).all(), key=lambda row: row.pk)

    assert [row.topics for row in rows] == expected == JSON_VALUES
    assert [repr(row.topics) for row in rows] == [repr(value) for value in expected]


@pytest.mark.postgres
def test_postgresql_plans_a_shape_once_per_connection(user, other_user, sessions):
    """Each shape's statement is prepared on the server (kaya.db.planned_once_
    cursor) the first time it runs on a connection, then reused with other
    values: PostgreSQL no longer parses and plans a hot page per request."""

    def prepared_pages() -> int:
        return len(prepared_statements("%wellness_wellnesssession%LIMIT%"))

    before = prepared_pages()
    first, total = session_rows(user=user).page(offset=0, limit=2)
    assert prepared_pages() == before + 1
    theirs = session_list(user=other_user).count()
    for owner, expected in ((other_user, theirs), (user, total), (other_user, theirs)):
        _, counted = session_rows(user=owner).page(offset=0, limit=2)
        assert counted == expected
    assert prepared_pages() == before + 1
    assert [row.pk for row in first] == [
        s.pk for s in session_list(user=user).order_by("-started_at", "-id")[:2]
    ]
