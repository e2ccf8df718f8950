"""Where a newcomer lands: JSON 404s under /api/ (DEBUG too), the API index, /."""

import pytest

pytestmark = pytest.mark.django_db


# An unknown path is outside the OpenAPI document by definition.
@pytest.mark.no_response_schema
@pytest.mark.parametrize("path", ["/api/v1/no-such-thing", "/api/nope", "/api/v2/"])
def test_an_unknown_api_path_is_a_json_404_even_in_debug(api_client, settings, path):
    settings.DEBUG = True

    response = api_client.get(path, HTTP_ACCEPT="text/html")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert (error["code"], error["message"]) == ("not_found", "Not found.")
    assert error["request_id"] == response["X-Request-ID"]
    assert len(response.content) < 300


def test_an_api_path_still_redirects_to_its_slashed_spelling(api_client, settings):
    settings.DEBUG = True

    response = api_client.get("/api/v1")

    assert response.status_code == 301
    assert response["Location"] == "/api/v1/"


def test_the_api_index_links_to_the_schema_and_docs(api_client):
    response = api_client.get("/api/v1/")

    assert response.status_code == 200
    assert response.json() == {
        "name": "KAYA API",
        "version": "1.0.0",
        "schema_url": "http://testserver/api/v1/schema/",
        "docs_url": "http://testserver/api/v1/docs/",
        "redoc_url": "http://testserver/api/v1/redoc/",
    }


def test_the_api_index_is_in_the_schema(api_client):
    paths = api_client.get("/api/v1/schema/?format=json").json()["paths"]

    assert "get" in paths["/api/v1/"]


def test_home_in_development_points_to_docs_admin_and_demo_logins(api_client, settings):
    settings.DEBUG = True

    response = api_client.get("/")

    assert response.status_code == 200
    body = response.json()
    assert body["docs_url"] == "http://testserver/api/v1/docs/"
    assert body["admin_url"] == "http://testserver/admin/"
    assert body["health_url"] == "http://testserver/health"
    # The member and the superuser first; then the other demo accounts.
    assert len(body["demo_logins"]) == 7
    assert body["demo_logins"][:2] == [
        {"email": "demo@kaya.local", "password": "kaya-demo-password", "use": "API"},
        {"email": "admin@kaya.local", "password": "kaya-demo-password", "use": "admin"},
    ]


def test_home_in_production_is_a_404(api_client, settings):
    settings.DEBUG = False

    response = api_client.get("/")

    assert response.status_code == 404
    assert b"demo" not in response.content
