"""One receiver per domain event for the achievements and the challenges.

Both move on the same events (``achievements.SUBSCRIPTIONS`` and
``challenges.SUBSCRIPTIONS`` name the kinds each event can move) and most
events move neither. The receiver reads both gates (``achievements_due``,
``challenges_due``, for an active user) in one query, then reads the user and
runs only the work that is due. As with two receivers under ``send_robust``, a
failing achievement evaluation does not keep the challenges from moving: it is
logged like ``send_robust`` logs a failing receiver, and the challenges still
run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet, Value
from django.dispatch import Signal

from kaya.prepared import PreparedQuery
from wellness.services import achievements, challenges

logger = logging.getLogger("django.dispatch")


def _gates(
    achievement_kinds: frozenset[str], goal_kinds: frozenset[str]
) -> PreparedQuery:
    """Whether achievements and challenges are due for an active user: one row
    (none for an unknown or inactive user), its SQL built once per process
    (``kaya.prepared``): building and compiling the two subqueries cost more
    CPU than running them."""

    def gates(*, user_id: int) -> QuerySet[Any]:
        from accounts.models import User

        return User.objects.filter(pk=user_id, is_active=True).annotate(
            achievements_due=(
                achievements.achievements_due(achievement_kinds)
                if achievement_kinds
                else Value(False)
            ),
            challenges_due=(
                challenges.challenges_due(goal_kinds) if goal_kinds else Value(False)
            ),
        )

    return PreparedQuery(gates, fields=("achievements_due", "challenges_due"))


def _receiver(
    *, achievement_kinds: frozenset[str], goal_kinds: frozenset[str]
) -> Callable[..., None]:
    gates = _gates(achievement_kinds, goal_kinds)

    def receive(sender: Any, *, user_id: int, **kwargs: Any) -> None:
        from accounts.models import User

        due = gates(user_id=user_id).all()
        if not due or not any(due[0]):
            return
        achievements_are_due, challenges_are_due = due[0]
        user = User.objects.filter(pk=user_id, is_active=True).first()
        if user is None:
            return
        if achievements_are_due:
            try:
                achievements.achievements_evaluate(user=user, kinds=achievement_kinds)
            except Exception as err:
                logger.error(
                    "Error evaluating achievements for a %s event (%s)",
                    sender,
                    err,
                    exc_info=err,
                )
        if challenges_are_due:
            challenges.challenge_progress_refresh(user=user, kinds=goal_kinds)

    return receive


def _subscriptions() -> dict[str, tuple[Signal, frozenset[str], frozenset[str]]]:
    """Event name -> (signal, achievement kinds, challenge goal kinds)."""
    merged: dict[str, tuple[Signal, frozenset[str], frozenset[str]]] = {}
    for name, signal, kinds in achievements.SUBSCRIPTIONS:
        merged[name] = (signal, kinds, frozenset())
    for name, signal, kinds in challenges.SUBSCRIPTIONS:
        achievement_kinds = merged[name][1] if name in merged else frozenset()
        merged[name] = (signal, achievement_kinds, kinds)
    return merged


def wellness_subscribe() -> None:
    """Connect achievements and challenges to the domain events (from
    WellnessConfig.ready())."""
    for name, (signal, achievement_kinds, goal_kinds) in _subscriptions().items():
        signal.connect(
            _receiver(achievement_kinds=achievement_kinds, goal_kinds=goal_kinds),
            weak=False,
            dispatch_uid=f"wellness.subscriptions.{name}",
        )
