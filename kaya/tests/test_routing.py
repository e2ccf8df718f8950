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


# Paths that resolve (with and without the slash, with ids and tokens, in the
# first app and the last) and paths that do not.
RESOLVING = [
    "/api/v1/",
    "/api/v1/schema/",
    "/api/v1/users/me",
    "/api/v1/users/me/",
    "/api/v1/auth/verify-email/abc.def",
    "/api/v1/journal/mood/calendar",
    "/api/v1/journal/17/",
    "/api/v1/sessions",
    "/api/v1/sessions/",
    "/api/v1/sessions/42/complete",
    "/api/v1/events/7/register/",
    "/api/v1/ai/chat",
]
NOT_RESOLVING = [
    "/api/v1/no-such-thing",
    "/api/v1/sessions//",
    "/api/v1/sessions/42/nope",
    "/api/v1/users/me//",
    "/api/v1/schema",
]


def _plain_root():
    """The project's URLconf as Django resolves it with no memory."""
    from django.urls import URLResolver
    from django.urls.resolvers import RegexPattern

    from kaya import urls
    from kaya.routing import RememberingResolver

    patterns = [
        URLResolver(p.pattern, p.url_patterns)
        if isinstance(p, RememberingResolver)
        else p
        for p in urls.urlpatterns
    ]
    return URLResolver(RegexPattern(r"^/"), patterns)


def _described(match):
    return (
        match.func,
        match.args,
        match.kwargs,
        match.url_name,
        match.app_names,
        match.namespaces,
        match.view_name,
        match.route,
        match.captured_kwargs,
        match.extra_kwargs,
        _patterns(match.tried),
    )


def _patterns(tried):
    # The same pattern objects (the plain copy of the remembering include
    # shares its pattern), in the same order.
    return [[p.pattern for p in entry] for entry in tried]


@pytest.mark.parametrize("path", RESOLVING)
def test_a_remembered_resolution_is_djangos_own(path):
    from django.urls import resolve

    expected = _described(_plain_root().resolve(path))

    assert _described(resolve(path)) == expected
    assert _described(resolve(path)) == expected  # from the memory


@pytest.mark.parametrize("path", NOT_RESOLVING)
def test_a_path_that_does_not_resolve_is_djangos_404_and_is_not_remembered(path):
    from django.urls import Resolver404, resolve

    from kaya import urls

    with pytest.raises(Resolver404) as plain:
        _plain_root().resolve(path)
    for _ in range(2):
        with pytest.raises(Resolver404) as remembered:
            resolve(path)
        assert _patterns(remembered.value.args[0]["tried"]) == _patterns(
            plain.value.args[0]["tried"]
        )
        assert remembered.value.args[0]["path"] == plain.value.args[0]["path"]
    api = next(p for p in urls.urlpatterns if str(p.pattern) == "api/v1/")
    assert path.removeprefix("/") not in api._matches


def test_a_remembered_match_is_a_copy_its_holder_may_change():
    from django.urls import resolve

    first = resolve("/api/v1/sessions/42/complete")
    first.kwargs["pk"] = "13"
    first.captured_kwargs["pk"] = "13"
    first.tried.clear()

    again = resolve("/api/v1/sessions/42/complete")

    assert again.kwargs == again.captured_kwargs == {"pk": "42"}
    assert again.url_name == "session-complete"
    assert again.tried


def test_the_memory_of_resolved_paths_is_bounded(monkeypatch):
    from django.urls import resolve

    from kaya import routing, urls

    monkeypatch.setattr(routing, "RESOLVED_PATHS_MAX", 5)
    api = next(p for p in urls.urlpatterns if str(p.pattern) == "api/v1/")
    api.forget()

    for pk in range(12):
        assert resolve(f"/api/v1/journal/{pk}").kwargs == {"pk": str(pk)}
        assert len(api._matches) <= 5

    assert resolve("/api/v1/journal/3").kwargs == {"pk": "3"}


# An unknown path is outside the OpenAPI document by definition.
@pytest.mark.no_response_schema
def test_the_api_answers_the_same_through_the_remembered_routes(auth_client):
    """404 in the error shape, 405, both spellings and a detail route, asked
    twice so the second answer comes from the memory."""
    for _ in range(2):
        missing = auth_client.get("/api/v1/sessions/42/nope")
        assert missing.status_code == 404
        assert missing.json()["error"]["code"] == "not_found"
        refused = auth_client.delete("/api/v1/users/me/stats")
        assert refused.status_code == 405
        assert refused.json()["error"]["code"] == "method_not_allowed"
        plain = auth_client.get("/api/v1/sessions")
        slashed = auth_client.get("/api/v1/sessions/")
        assert plain.status_code == slashed.status_code == 200
        assert plain.wsgi_request.resolver_match.url_name == "session-list"
        assert slashed.wsgi_request.resolver_match.view_name == "wellness:session-list"
        other = auth_client.get("/api/v1/journal/999999/")
        assert other.status_code == 404
        assert other.wsgi_request.resolver_match.kwargs == {"pk": "999999"}


def test_routes_reverse_as_before_through_the_remembering_include():
    from django.urls import reverse

    assert reverse("accounts:me") == "/api/v1/users/me"
    assert reverse("wellness:session-list") == "/api/v1/sessions"
    assert reverse("wellness:session-detail", kwargs={"pk": 5}) == "/api/v1/sessions/5"
    assert reverse("accounts:verify-email", kwargs={"token": "ab"}) == (
        "/api/v1/auth/verify-email/ab"
    )
    assert reverse("schema") == "/api/v1/schema/"
