"""The API docs work offline and their examples are realistic and true."""

import re

import pytest

pytestmark = pytest.mark.django_db

# Every URL the page itself loads (src, href, url(...), @import).
_LOADED = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']|url\(([^)]+)\)""")


def _loaded_urls(html: str) -> list[str]:
    return [a or b for a, b in _LOADED.findall(html)]


@pytest.mark.parametrize("path", ["/api/v1/redoc/", "/api/v1/docs/"])
def test_the_docs_pages_load_nothing_from_another_host(api_client, path):
    response = api_client.get(path)

    assert response.status_code == 200
    html = response.content.decode()
    urls = _loaded_urls(html)
    assert urls, "the page loads its scripts"
    assert [u for u in urls if not u.startswith("/")] == []
    assert "googleapis" not in html and "gstatic" not in html


def test_redoc_uses_the_served_bundle_and_system_fonts(api_client):
    html = api_client.get("/api/v1/redoc/").content.decode()
    # The start-up script is a file of its own (the CSP allows no inline script).
    script = api_client.get("/api/v1/redoc/?script").content.decode()

    assert '<script src="/api/v1/redoc/redoc.standalone.js"></script>' in html
    assert '<script src="/api/v1/redoc/?script"></script>' in html
    assert '"fontFamily": "system-ui, sans-serif"' in script


def test_the_served_redoc_bundle_fetches_no_logo_from_a_cdn(api_client):
    response = api_client.get("/api/v1/redoc/redoc.standalone.js")

    body = (
        b"".join(response.streaming_content)
        if response.streaming
        else (response.content)
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript"
    assert len(body) > 500_000
    assert b"cdn.redoc.ly" not in body
    assert b"fonts.googleapis.com" not in body
    assert b'alt:"redocly logo"' in body


def _schema(api_client):
    return api_client.get("/api/v1/schema/?format=json").json()


def test_the_mood_example_is_an_ordinary_day_not_a_crisis(api_client):
    body = _schema(api_client)["paths"]["/api/v1/journal/mood"]["post"]["requestBody"]

    examples = body["content"]["application/json"]["examples"]
    assert [e["value"] for e in examples.values()] == [
        {
            "mood": "good",
            "intensity": 6,
            "emotions": ["calm", "grateful"],
            "factors": ["sleep", "exercise"],
            "note": "Slept well and went for a walk.",
        }
    ]


def _example(operation, status):
    media = operation["responses"][status]["content"]["application/json"]
    (example,) = media["examples"].values()
    return example["value"]["error"]


def test_error_examples_carry_fields_only_for_validation_errors(api_client):
    paths = _schema(api_client)["paths"]
    mood = paths["/api/v1/journal/mood"]["post"]

    assert _example(mood, "401") == {
        "code": "not_authenticated",
        "message": "Authentication credentials were not provided.",
        "request_id": "3f2c9a7e0b5d4e1f8a6b2c4d9e0f1a2b",
    }
    assert _example(mood, "429")["code"] == "throttled"
    assert _example(mood, "500")["code"] == "server_error"
    assert _example(mood, "400")["fields"] == {"mood": ["This field is required."]}
    seen = 0
    for operations in paths.values():
        for operation in operations.values():
            for status in ("401", "404", "413", "429", "500"):
                media = (operation["responses"].get(status, {}).get("content", {})).get(
                    "application/json", {}
                )
                for example in media.get("examples", {}).values():
                    seen += 1
                    assert "fields" not in example["value"]["error"], status
    assert seen > 100
