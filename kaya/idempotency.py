"""Idempotent create for offline-first clients: one mechanism for every
user-created resource (sessions, journal, gratitude and mood entries).

A client generates a UUID (``client_id``) per thing it creates and may send the
create again after a lost response; the retry returns the row created first.
The model holds ``client_id = UUIDField(null=True, blank=True)`` with a unique
constraint on ``(user, client_id)`` where ``client_id`` is set
(``client_id_constraint``); this helper does the lookup and settles the race.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from django.db import IntegrityError, models, transaction

if TYPE_CHECKING:
    from accounts.models import User

M = TypeVar("M", bound=models.Model)

CLIENT_ID_HELP = (
    "Client-generated idempotency id (a UUID): sending the same id again returns "
    "the resource created first (200) instead of creating another."
)


def client_id_constraint(prefix: str) -> models.UniqueConstraint:
    return models.UniqueConstraint(
        fields=["user", "client_id"],
        condition=models.Q(client_id__isnull=False),
        name=f"{prefix}_client_id_unique",
    )


def create_once(
    *,
    model: type[M],
    user: User,
    client_id: uuid.UUID | None,
    create: Callable[[], M],
) -> tuple[M, bool]:
    """``(create(), True)``, or ``(existing, False)`` when the user already has a
    ``model`` row with this ``client_id``. Call it inside the service's
    transaction, or outside any when ``create`` makes its writes atomic itself
    (in one statement or a transaction of its own): it then runs in a
    transaction of its own. ``create`` must store ``client_id`` on the row."""
    if client_id is None:
        return create(), True
    rows = model._default_manager.filter(user=user, client_id=client_id)
    existing = rows.first()
    if existing is not None:
        return existing, False
    try:
        # A savepoint (a transaction outside one): a concurrent retry that
        # loses the unique race rolls back only its own insert (and the
        # on_commit side effects queued inside it), leaving the outer
        # transaction usable for the lookup below.
        with transaction.atomic():
            return create(), True
    except IntegrityError:
        existing = rows.first()
        if existing is None:
            raise
        return existing, False
