import pytest
from django.urls import get_resolver

from kaya.routing import api_path

pytestmark = pytest.mark.django_db


def _api_routes() -> list[str]:
    def walk(patterns, prefix=""):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            else:
                yield prefix + pattern.pattern.regex.pattern

    return [r for r in walk(get_resolver().url_patterns) if r.startswith("api/v1/")]


def test_every_api_route_answers_with_and_without_a_trailing_slash():
    """One pattern per route: the trailing slash is optional in its regex, so no
    route is registered twice."""
    routes = _api_routes()
    # The docs and the index are GET-only: the slashless spelling redirects.
    docs = {
        "api/v1/^\\Z",
        "api/v1/^schema/\\Z",
        "api/v1/^docs/\\Z",
        "api/v1/^redoc/\\Z",
        "api/v1/^redoc/redoc\\.standalone\\.js\\Z",
    }

    for route in set(routes) - docs:
        assert route.endswith(("/?$", "/?\\Z")), f"{route} takes no optional slash"
    assert len(routes) == len(set(routes))


def test_a_post_works_on_both_spellings(api_client):
    plain = api_client.post("/api/v1/auth/login", {}, format="json")
    slashed = api_client.post("/api/v1/auth/login/", {}, format="json")

    assert plain.status_code == slashed.status_code == 400
    assert slashed.json()["error"]["code"] == "validation_error"


def test_the_schema_documents_only_the_plain_spelling(api_client):
    paths = api_client.get("/api/v1/schema/?format=json").json()["paths"]

    assert "/api/v1/auth/login" in paths
    assert "/api/v1/auth/login/" not in paths


def test_api_path_makes_one_pattern_with_an_optional_slash():
    from rest_framework.views import APIView

    pattern = api_path("things/<int:pk>/<str:token>/", APIView, "things")

    assert pattern.resolve("things/12/abc")
    assert pattern.resolve("things/12/abc/")
    assert not pattern.resolve("things/x/abc")
    assert pattern.resolve("things/12/abc").kwargs == {"pk": 12, "token": "abc"}
