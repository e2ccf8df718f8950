"""A page of a queryset and its count in one query (kaya.pagination.CountedPaginator),
held to Django's own paginator over the same queryset, and through a list endpoint
to the shape and errors the API always had."""

from datetime import timedelta

import pytest
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.utils import timezone

from kaya.pagination import CountedPaginator
from wellness.models import SessionType, WellnessSession
from wellness.selectors import session_list
from wellness.tests.factories import WellnessSessionFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/sessions"


def _sessions(user, count, **kwargs):
    start = timezone.now() - timedelta(days=count)
    return [
        WellnessSessionFactory(
            user=user, started_at=start + timedelta(hours=n), **kwargs
        )
        for n in range(count)
    ]


@pytest.mark.parametrize("per_page", [1, 2, 3, 7])
def test_every_page_matches_djangos_paginator(user, other_user, per_page):
    _sessions(user, 5)
    _sessions(user, 2, type=SessionType.YOGA)
    _sessions(other_user, 4)
    for queryset in (
        session_list(user=user),
        session_list(user=user, type=SessionType.YOGA),
        session_list(user=other_user, type=SessionType.SLEEP),
    ):
        django = Paginator(queryset, per_page)
        for number in range(1, django.num_pages + 1):
            expected = django.page(number)
            counted = CountedPaginator(queryset, per_page)
            page = counted.page(number)
            assert [row.pk for row in page] == [row.pk for row in expected]
            assert counted.count == django.count
            assert counted.num_pages == django.num_pages
            assert page.has_next() == expected.has_next()
        with pytest.raises(EmptyPage):
            CountedPaginator(queryset, per_page).page(django.num_pages + 1)


def test_an_empty_first_page_counts_zero(user):
    paginator = CountedPaginator(session_list(user=user), 20)

    page = paginator.page(1)

    assert (list(page), paginator.count, paginator.num_pages) == ([], 0, 1)


@pytest.mark.parametrize(
    ("number", "error"),
    [("abc", PageNotAnInteger), ("0", EmptyPage), (1.5, PageNotAnInteger)],
)
def test_bad_page_numbers_raise_what_djangos_paginator_raises(user, number, error):
    _sessions(user, 3)
    with pytest.raises(error):
        CountedPaginator(session_list(user=user), 2).page(number)


def test_what_it_cannot_count_in_one_query_takes_djangos_path(user):
    _sessions(user, 3)
    values = WellnessSession.objects.filter(user=user).order_by("id").values("id")
    paginator = CountedPaginator(values, 2)

    page = paginator.page(2)

    assert (len(page), paginator.count) == (1, 3)


def test_list_page_and_count_are_one_query(
    auth_client, user, django_assert_num_queries
):
    _sessions(user, 5)
    # user, then the page with its count
    with django_assert_num_queries(2):
        body = auth_client.get(f"{URL}?page_size=2&page=2").json()

    assert body["count"] == 5
    assert len(body["results"]) == 2
    assert body["next"].endswith(f"{URL}?page=3&page_size=2")
    assert body["previous"].endswith(f"{URL}?page_size=2")


def test_list_counts_only_what_the_filters_keep(auth_client, user, other_user):
    _sessions(user, 3)
    _sessions(user, 2, type=SessionType.YOGA)
    _sessions(other_user, 4, type=SessionType.YOGA)

    body = auth_client.get(f"{URL}?type=yoga&page_size=1").json()

    assert body["count"] == 2
    assert body["next"] is not None


@pytest.mark.parametrize(
    "page",
    [
        "2",
        "abc",
        "0",
        # An offset past the database's 64-bit integers (found by the fuzzer:
        # PostgreSQL refused the OFFSET with "bigint out of range", a 500).
        "1543559008064110336",
        "19397594403179645945138642944",
    ],
)
def test_list_page_out_of_range_is_404_as_before(auth_client, user, page):
    _sessions(user, 3)

    response = auth_client.get(f"{URL}?page_size=254&page={page}")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_list_last_page(auth_client, user):
    sessions = _sessions(user, 5)

    body = auth_client.get(f"{URL}?page_size=2&page=last").json()

    assert body["count"] == 5
    assert [row["id"] for row in body["results"]] == [sessions[0].pk]


def test_empty_list_counts_zero(auth_client, user, other_user):
    _sessions(other_user, 2)

    body = auth_client.get(URL).json()

    assert body == {"count": 0, "next": None, "previous": None, "results": []}
