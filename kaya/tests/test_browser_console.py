"""The staff console end to end, in a real browser (headless Chromium through
Playwright, against a live server): a moderator hides a reported post and it
leaves the feed; a content editor builds and publishes a two-day program and it
joins the catalogue. The API is checked over HTTP with a member's token.

Marked ``browser``: skipped on the embedded default when Chromium is not
installed, and failed (never skipped) with KAYA_REQUIRE_SERVICES=1.
"""

from __future__ import annotations

import json
import os
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from accounts.jwt import access_token_for
from accounts.tests.factories import TEST_PASSWORD, UserFactory
from community.tests.factories import PostFactory, ReportFactory
from kaya.staff import CONTENT_EDITORS, MODERATORS
from kaya.tests.staff_helpers import staff_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = os.environ.get("KAYA_CHROMIUM", "/usr/bin/chromium")


@contextmanager
def browser_page() -> Iterator[Any]:
    """A page of a fresh headless Chromium.

    Playwright's sync API keeps an event loop running in this thread while it
    is open, and Django refuses ORM calls there: set up rows before opening it,
    and check results over HTTP.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            # Root in a container has no user namespaces for Chromium's sandbox.
            args=["--no-sandbox", "--disable-dev-shm-usage"],
        )
        try:
            page = browser.new_page()
            page.set_default_timeout(15_000)
            yield page
        finally:
            browser.close()


def _api_get(base: str, path: str, token: str) -> dict[str, Any]:
    request = urllib.request.Request(
        f"{base}{path}", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(request, timeout=15) as response:
        assert response.status == 200
        return json.loads(response.read())


def _log_in(page: Any, base: str, email: str) -> None:
    page.goto(f"{base}/admin/login/?next=/admin/")
    page.fill("#id_username", email)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#kaya-dashboard")


def test_a_moderator_hides_a_reported_post_and_it_leaves_the_feed(live_server):
    moderator = staff_member(MODERATORS.name, email="mod@example.com")
    post = PostFactory(body="Buy followers now, cheap")
    ReportFactory(post=post, reason="spam")
    kept = PostFactory(body="Today was a gentle day")
    member_token = str(access_token_for(UserFactory()))
    base = live_server.url

    def feed_ids() -> set[int]:
        return {
            item["id"]
            for item in _api_get(base, "/api/v1/community", member_token)["results"]
        }

    assert {post.pk, kept.pk} <= feed_ids()
    with browser_page() as page:
        _log_in(page, base, moderator.email)
        page.click("a[href='/admin/community/post/']")
        page.wait_for_selector("#result_list")
        row = page.locator(f"input[name=_selected_action][value='{post.pk}']")
        row.check()
        page.select_option("select[name=action]", "hide")
        page.click("button[name=index]")
        page.wait_for_selector("ul.messagelist")

        assert "Hidden: 1." in page.inner_text("ul.messagelist")
        ids = feed_ids()
        assert post.pk not in ids
        assert kept.pk in ids


def test_a_content_editor_publishes_a_two_day_program_that_the_catalogue_lists(
    live_server,
):
    editor = staff_member(CONTENT_EDITORS.name, email="editor@example.com")
    member_token = str(access_token_for(UserFactory()))
    base = live_server.url

    def catalogue_titles() -> list[str]:
        return [
            p["title"]
            for p in _api_get(base, "/api/v1/programs", member_token)["results"]
        ]

    with browser_page() as page:
        _log_in(page, base, editor.email)
        page.click("a[href='/admin/wellness/wellnessprogram/add/']")
        page.fill("#id_title", "Evening Wind-Down")
        page.fill("#id_slug", "evening-wind-down")
        page.select_option("#id_category", index=1)
        page.select_option("#id_difficulty", index=1)
        page.fill("#id_summary", "Two short evenings to settle before sleep.")
        page.click(".add-row a")
        for index, (title, kind) in enumerate(
            [("Breathe out the day", "breathing"), ("A slow body scan", "body_scan")]
        ):
            page.fill(f"#id_days-{index}-day_number", str(index + 1))
            page.fill(f"#id_days-{index}-title", title)
            page.select_option(f"#id_days-{index}-session_type", kind)
            page.fill(f"#id_days-{index}-content", f"{title}: follow the voice.")
        page.click("input[name=_save]")
        page.wait_for_selector("ul.messagelist")
        assert "Evening Wind-Down" not in catalogue_titles()

        page.locator("tr", has_text="Evening Wind-Down").locator(
            "input[name=_selected_action]"
        ).check()
        page.select_option("select[name=action]", "publish")
        page.click("button[name=index]")
        page.wait_for_selector("ul.messagelist")

        assert "Published 1 program(s)." in page.inner_text("ul.messagelist")
        assert "Evening Wind-Down" in catalogue_titles()
