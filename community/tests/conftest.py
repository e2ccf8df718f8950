from __future__ import annotations

import pytest

from journal.models import CrisisPhrase, CrisisResource


@pytest.fixture
def crisis_data(db):
    """A known crisis phrase list and lines (the data migration's rows are
    replaced so the tests do not depend on the curated list)."""
    CrisisPhrase.objects.all().delete()
    CrisisPhrase.objects.create(locale="en", phrase="end my life", category="suicide")
    CrisisPhrase.objects.create(locale="en", phrase="hurt myself", category="self_harm")
    CrisisResource.objects.create(
        locale="en", name="988 Lifeline", phone="988", countries="US", sort_order=1
    )
    CrisisResource.objects.create(
        locale="en", name="EU emergency", phone="112", countries="DE FR", sort_order=2
    )
    CrisisResource.objects.create(
        locale="en", name="Online chat", url="https://chat.example", sort_order=3
    )
