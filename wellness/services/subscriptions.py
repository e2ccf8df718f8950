"""One receiver per domain event for the achievements and the challenges.

Both move on the same events (``achievements.SUBSCRIPTIONS`` and
``challenges.SUBSCRIPTIONS`` name the kinds each event can move) and most
events move neither. The receiver reads the user and both gates
(``achievements_due``, ``challenges_due``) in one query, then runs only the
work that is due. As with two receivers under ``send_robust``, a failing
achievement evaluation does not keep the challenges from moving: it is logged
like ``send_robust`` logs a failing receiver, and the challenges still run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db.models import Value
from django.dispatch import Signal

from wellness.services import achievements, challenges

logger = logging.getLogger("django.dispatch")


def _receiver(
    *, achievement_kinds: frozenset[str], goal_kinds: frozenset[str]
) -> Callable[..., None]:
    def receive(sender: Any, *, user_id: int, **kwargs: Any) -> None:
        from accounts.models import User

        user = (
            User.objects.filter(pk=user_id, is_active=True)
            .annotate(
                achievements_due=(
                    achievements.achievements_due(achievement_kinds)
                    if achievement_kinds
                    else Value(False)
                ),
                challenges_due=(
                    challenges.challenges_due(goal_kinds)
                    if goal_kinds
                    else Value(False)
                ),
            )
            .first()
        )
        if user is None:
            return
        if user.achievements_due:  # type: ignore[attr-defined]
            try:
                achievements.achievements_evaluate(user=user, kinds=achievement_kinds)
            except Exception as err:
                logger.error(
                    "Error evaluating achievements for a %s event (%s)",
                    sender,
                    err,
                    exc_info=err,
                )
        if user.challenges_due:  # type: ignore[attr-defined]
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
