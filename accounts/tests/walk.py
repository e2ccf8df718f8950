"""Find every installed model with a foreign-key path to the user.

Generic on purpose: it walks ``apps.get_models()`` (auto-created M2M tables and
third-party apps included), so a model any app adds later is found without
touching these tests.
"""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models

from accounts.registry import privacy


def user_paths() -> dict[str, tuple[type[models.Model], list[str]]]:
    """model label -> (model, ORM lookups from that model to the user's pk)."""
    user_model = get_user_model()
    found: dict[str, tuple[type[models.Model], list[str]]] = {
        user_model._meta.label: (user_model, ["pk"])
    }
    all_models = apps.get_models(include_auto_created=True)
    frontier: list[type[models.Model]] = [user_model]
    while frontier:
        target = frontier.pop()
        target_paths = found[target._meta.label][1]
        for model in all_models:
            for field in model._meta.concrete_fields:
                if not isinstance(field, models.ForeignKey):
                    continue
                if field.related_model is not target:
                    continue
                paths = [
                    field.name if path == "pk" else f"{field.name}__{path}"
                    for path in target_paths
                ]
                label = model._meta.label
                if label in found:
                    known = found[label][1]
                    known.extend(p for p in paths if p not in known)
                    continue
                found[label] = (model, paths)
                frontier.append(model)
    return found


def uncovered_models() -> list[str]:
    """Models with a path to the user that no handler exports and none excludes."""
    accounted = privacy.covered_models() | set(privacy.excluded)
    return sorted(label for label in user_paths() if label not in accounted)


def rows_linked_to(user_id: int) -> dict[str, set]:
    """label -> primary keys of the rows that reach this user."""
    linked: dict[str, set] = {}
    for label, (model, paths) in user_paths().items():
        pks: set = set()
        for path in paths:
            pks |= set(
                model._default_manager.filter(**{path: user_id}).values_list(
                    "pk", flat=True
                )
            )
        linked[label] = pks
    return linked
