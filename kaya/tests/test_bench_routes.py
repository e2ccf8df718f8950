"""The benchmark ceilings exist only with KAYA_BENCH=1 (see kaya/bench.py)."""

import json

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory

from kaya import bench


@pytest.mark.django_db
def test_bench_routes_are_not_served_by_default(client, settings):
    assert settings.KAYA_BENCH is False
    for path in ("/bench/one", "/bench/json"):
        response = client.get(path)
        assert response.status_code == 404
        assert "X-Bench-Queries" not in response


@pytest.mark.django_db
def test_bench_unit_reads_one_row_by_primary_key(user, django_assert_num_queries):
    request = RequestFactory().get("/bench/one", HTTP_X_BENCH_USER=str(user.pk))
    with django_assert_num_queries(1):
        response = bench.bench_one(request)

    assert json.loads(response.content) == {
        "user": {
            "id": user.pk,
            "email": user.email,
            "display_name": user.display_name,
            "timezone": user.timezone,
        }
    }


@pytest.mark.django_db
def test_query_count_header_counts_the_requests_statements(user):
    def view(request):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.execute("SELECT 2")
        return HttpResponse("ok")

    response = bench.QueryCountMiddleware(view)(RequestFactory().get("/"))

    assert response["X-Bench-Queries"] == "2"
