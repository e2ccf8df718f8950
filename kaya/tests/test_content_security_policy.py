"""The Content-Security-Policy (kaya.middleware.ContentSecurityPolicyMiddleware):
the admin and the API docs run only scripts served by us, never inline ones, and
the docs pages still carry everything they need to start (their start-up scripts
are files: drf-spectacular's split Swagger view, and ours for Redoc)."""

from __future__ import annotations

import re

import pytest
from django.conf import settings

from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.DOTALL | re.IGNORECASE)
_SRC = re.compile(r"""\bsrc\s*=\s*["']([^"']+)["']""")


def _directives(policy: str) -> dict[str, list[str]]:
    return {
        name: values
        for name, *values in (part.split() for part in policy.split(";") if part)
    }


def _scripts(html: str) -> list[tuple[str | None, str]]:
    """(src, inline body) of every <script> element of the page."""
    return [
        ((m := _SRC.search(attrs)) and m.group(1), body.strip())
        for attrs, body in _SCRIPT.findall(html)
    ]


def _assert_no_inline_script(policy: str, html: str) -> list[str]:
    directives = _directives(policy)
    assert directives["script-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "'unsafe-eval'" not in policy
    scripts = _scripts(html)
    assert scripts, "the page loads its scripts"
    assert [body for _, body in scripts if body] == [], "an inline script"
    sources = [src for src, _ in scripts]
    assert all(src and src.startswith("/") for src in sources), sources
    assert not re.search(r"\son[a-z]+\s*=", html), "an inline event handler"
    return sources


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize(
    "path", ["/admin/", "/admin/accounts/user/", "/admin/accounts/user/add/"]
)
def test_admin_pages_run_only_their_own_scripts_and_styles(staff_client, path):
    response = staff_client.get(path)

    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert policy == settings.CSP_ADMIN
    assert _directives(policy)["style-src"] == ["'self'"]
    html = response.content.decode()
    _assert_no_inline_script(policy, html)
    assert "<style" not in html and ' style="' not in html


def test_the_admin_login_page_has_the_policy(client):
    response = client.get("/admin/login/")

    assert response["Content-Security-Policy"] == settings.CSP_ADMIN


@pytest.mark.parametrize(
    ("path", "starts"),
    [("/api/v1/docs/", "SwaggerUIBundle("), ("/api/v1/redoc/", "Redoc.init(")],
)
def test_the_docs_pages_start_from_script_files_under_the_policy(
    api_client, path, starts
):
    response = api_client.get(path)

    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert policy == settings.CSP_DOCS
    sources = _assert_no_inline_script(policy, response.content.decode())
    # The last script starts the UI: it is served, as JavaScript, by us.
    start = api_client.get(sources[-1])
    assert start.status_code == 200
    assert start["Content-Type"].startswith("application/javascript")
    assert starts in start.content.decode()
    assert '"/api/v1/schema/"' in start.content.decode()
    for src in sources[:-1]:
        served = api_client.get(src)
        served.close()  # a static file is streamed from an open file
        assert served.status_code == 200, src


def test_api_responses_may_load_nothing_and_are_never_framed(auth_client):
    response = auth_client.get("/api/v1/users/me")

    assert response.status_code == 200
    assert response["Content-Security-Policy"] == (
        "default-src 'none'; frame-ancestors 'none'"
    )


def test_an_error_response_has_the_policy_too(api_client):
    response = api_client.get("/api/v1/users/me")

    assert response.status_code == 401
    assert response["Content-Security-Policy"] == settings.CSP_API
