"""Model building blocks shared by every app."""

from __future__ import annotations

from typing import Any, Self, TypeVar

from django.db import models

_M = TypeVar("_M", bound=models.Model)


class OwnedQuerySet(models.QuerySet[_M]):
    """Rows that belong to one user (a ``user`` foreign key). Selectors start
    every read of private data from ``for_user`` so ownership is enforced by the
    read itself: another user's row is simply not found (404)."""

    def for_user(self, user: Any) -> Self:
        return self.filter(user=user)
