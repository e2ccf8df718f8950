"""``kaya.statements.CompiledQuery``: a queryset compiled once per database and
run with new values answers what the queryset built with those values answers
(model instances, and plain rows with converted expressions), on the embedded
default and on PostgreSQL; it refuses what it cannot substitute safely."""

from datetime import date

import pytest
from django.db.models import Exists, OuterRef, Q

from accounts.models import User
from journal.models import MoodEntry
from journal.tests.factories import MoodEntryFactory
from kaya.statements import CompiledQuery

pytestmark = pytest.mark.django_db


def _moods(*, user_id, date_from):
    return MoodEntry.objects.filter(
        user_id=user_id, local_date__gte=date_from
    ).order_by("id")


def _has_moods(*, user_id):
    return User.objects.filter(pk=user_id).values_list(
        "email", Exists(MoodEntry.objects.filter(user_id=OuterRef("pk")))
    )


def test_instances_equal_the_querysets_own(user, other_user):
    for day in (date(2026, 4, 1), date(2026, 4, 2), date(2026, 4, 3)):
        MoodEntryFactory(user=user, local_date=day, note=f"Note {day}")
        MoodEntryFactory(user=other_user, local_date=day)
    query = CompiledQuery[MoodEntry](_moods, ("user_id", "date_from"))

    for owner in (user, other_user):
        for since in (date(2026, 4, 2), date(2026, 4, 4)):
            read = query.instances(using="default", user_id=owner.pk, date_from=since)
            expected = list(_moods(user_id=owner.pk, date_from=since))
            assert [vars(e) | {"_state": None} for e in read] == [
                vars(e) | {"_state": None} for e in expected
            ]
            assert [e.note for e in read] == [e.note for e in expected]


def test_rows_convert_expressions_as_the_queryset_does(user, other_user):
    MoodEntryFactory(user=user)
    query = CompiledQuery[User](_has_moods, ("user_id",))

    for pk in (user.pk, other_user.pk, other_user.pk + 1000):
        rows = query.rows(using="default", user_id=pk)
        assert [tuple(row) for row in rows] == list(_has_moods(user_id=pk))
    assert query.rows(using="default", user_id=user.pk) == [[user.email, True]]
    assert query.rows(using="default", user_id=other_user.pk) == [
        [other_user.email, False]
    ]


def test_every_stand_in_must_be_given(user):
    query = CompiledQuery[MoodEntry](_moods, ("user_id", "date_from"))

    with pytest.raises(TypeError, match="Give exactly"):
        query.instances(using="default", user_id=user.pk)


def test_a_stand_in_the_query_does_not_hold_once_is_refused(user):
    def twice(*, user_id):
        return MoodEntry.objects.filter(Q(user_id=user_id) | Q(id=user_id))

    def absent(*, user_id):
        return MoodEntry.objects.filter(user_id=1)

    for build in (twice, absent):
        with pytest.raises(RuntimeError, match="not exactly one parameter"):
            CompiledQuery[MoodEntry](build, ("user_id",)).instances(
                using="default", user_id=user.pk
            )
