"""The therapist directory, as staff change it in the admin."""

from __future__ import annotations

from django.db import transaction

from coaching.cache import therapist_directory_invalidate


def therapist_directory_changed() -> None:
    """Call after staff change a therapist or their hours.

    Side effects (after commit): every cached page of the directory goes stale.
    """
    transaction.on_commit(therapist_directory_invalidate)
