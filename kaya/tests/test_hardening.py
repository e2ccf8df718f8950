"""Hardening checks that complete the ones beside them (test_security.py: the
deploy check is clean with production settings; test_boundaries.py: the body
size; test_hostile_input.py: the JSON depth; test_pagination.py: the page size on
a test view; notifications/tests/test_websocket.py: the frame size)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

from journal.tests.factories import JournalEntryFactory

SETTINGS_FILE = Path(settings.BASE_DIR) / "kaya" / "settings.py"


def test_every_silenced_system_check_is_justified_beside_it():
    """``check --deploy`` is clean only because of SILENCED_SYSTEM_CHECKS: each
    entry carries the reason on the comment line(s) above it."""
    text = SETTINGS_FILE.read_text()
    block = re.search(r"SILENCED_SYSTEM_CHECKS[^=]*= \[\n(.*?)\n\]", text, re.DOTALL)
    assert block, "SILENCED_SYSTEM_CHECKS not found"
    lines = block.group(1).splitlines()
    silenced = [
        (index, line.strip().strip('",'))
        for index, line in enumerate(lines)
        if line.strip().startswith('"')
    ]

    assert [check for _, check in silenced] == list(settings.SILENCED_SYSTEM_CHECKS)
    for index, check in silenced:
        above = lines[index - 1].strip() if index else ""
        assert above.startswith("#") and len(above) > 20, f"{check}: no reason"


@pytest.mark.django_db
def test_a_real_list_endpoint_caps_the_page_size_at_the_maximum(auth_client, user):
    JournalEntryFactory.create_batch(settings.API_MAX_PAGE_SIZE + 1, user=user)

    response = auth_client.get("/api/v1/journal?page_size=1000")

    assert response.status_code == 200
    assert len(response.json()["results"]) == settings.API_MAX_PAGE_SIZE == 100
