"""The one wellness receiver per domain event: the user and both gates in one
query, then only the achievement and challenge work that is due, each kept
from failing the other."""

import logging

import pytest
from django.utils import timezone

from journal.services import mood_entry_create
from wellness.models import (
    AchievementRule,
    ChallengeGoal,
    ChallengeParticipant,
    UserAchievement,
)
from wellness.services import achievements, challenge_join
from wellness.tests.factories import AchievementFactory, ChallengeFactory

pytestmark = pytest.mark.django_db


def _log_mood(user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        mood_entry_create(user=user, mood="good", intensity=4)
    return callbacks


def test_a_mood_that_moves_nothing_costs_one_query_after_commit(
    user, other_user, django_capture_on_commit_callbacks, django_assert_num_queries
):
    # Another kind's achievement and challenge, and the mood ones of another
    # user (unlocked, joined), leave nothing due for this user.
    AchievementFactory(rule_kind=AchievementRule.SESSIONS_COMPLETED, threshold=1)
    mood_rule = AchievementFactory(rule_kind=AchievementRule.MOOD_LOGS, threshold=1)
    UserAchievement.objects.create(user=user, achievement=mood_rule, progress=1)
    UserAchievement.objects.filter(user=user).update(unlocked_at=timezone.now())
    challenge_join(
        user=user,
        challenge=ChallengeFactory(goal_kind=ChallengeGoal.SESSIONS_COMPLETED),
    )
    challenge_join(
        user=other_user, challenge=ChallengeFactory(goal_kind=ChallengeGoal.MOOD_LOGS)
    )
    callbacks = _log_mood(user, django_capture_on_commit_callbacks)

    with django_assert_num_queries(1):
        for callback in callbacks:
            callback()

    assert not ChallengeParticipant.objects.filter(user=user, progress__gt=0).exists()


def test_a_mood_moves_both_the_achievement_and_the_challenge_due(
    user, django_capture_on_commit_callbacks
):
    rule = AchievementFactory(rule_kind=AchievementRule.MOOD_LOGS, threshold=1)
    participant, _ = challenge_join(
        user=user,
        challenge=ChallengeFactory(goal_kind=ChallengeGoal.MOOD_LOGS, goal_target=3),
    )

    for callback in _log_mood(user, django_capture_on_commit_callbacks):
        callback()

    assert UserAchievement.objects.get(user=user, achievement=rule).unlocked_at
    participant.refresh_from_db()
    assert (participant.progress, participant.completed_at) == (1, None)


def test_a_failing_achievement_evaluation_still_moves_the_challenge(
    user, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    AchievementFactory(rule_kind=AchievementRule.MOOD_LOGS, threshold=1)
    participant, _ = challenge_join(
        user=user,
        challenge=ChallengeFactory(goal_kind=ChallengeGoal.MOOD_LOGS, goal_target=3),
    )

    def broken(**kwargs):
        raise RuntimeError("evaluation broke")

    monkeypatch.setattr(achievements, "achievements_evaluate", broken)
    callbacks = _log_mood(user, django_capture_on_commit_callbacks)
    with caplog.at_level(logging.ERROR, logger="django.dispatch"):
        for callback in callbacks:
            callback()

    participant.refresh_from_db()
    assert participant.progress == 1
    assert not UserAchievement.objects.filter(user=user).exists()
    assert [r.getMessage() for r in caplog.records] == [
        "Error evaluating achievements for a <class 'journal.models.MoodEntry'> "
        "event (evaluation broke)"
    ]


def test_an_inactive_users_event_moves_nothing(
    user, django_capture_on_commit_callbacks
):
    AchievementFactory(rule_kind=AchievementRule.MOOD_LOGS, threshold=1)
    participant, _ = challenge_join(
        user=user,
        challenge=ChallengeFactory(goal_kind=ChallengeGoal.MOOD_LOGS, goal_target=3),
    )
    callbacks = _log_mood(user, django_capture_on_commit_callbacks)
    user.is_active = False
    user.save(update_fields=["is_active"])

    for callback in callbacks:
        callback()

    participant.refresh_from_db()
    assert participant.progress == 0
    assert not UserAchievement.objects.filter(user=user).exists()


def test_the_prepared_gates_answer_what_the_orm_query_answers(user, other_user):
    from accounts.models import User
    from wellness.services.subscriptions import _gates

    inactive = User.objects.create_user(email="gone@example.com", password="x" * 12)
    User.objects.filter(pk=inactive.pk).update(is_active=False)
    mood_rule = AchievementFactory(rule_kind=AchievementRule.MOOD_LOGS, threshold=1)
    UserAchievement.objects.create(
        user=other_user, achievement=mood_rule, progress=1, unlocked_at=timezone.now()
    )
    challenge_join(
        user=other_user,
        challenge=ChallengeFactory(goal_kind=ChallengeGoal.MOOD_LOGS),
    )
    kinds = (
        frozenset({AchievementRule.MOOD_LOGS}),
        frozenset({ChallengeGoal.MOOD_LOGS}),
    )
    gates = _gates(*kinds)

    answers = {}
    for pk in (user.pk, other_user.pk, inactive.pk, inactive.pk + 1000):
        answers[pk] = gates(user_id=pk).all()
        queryset = gates(user_id=pk).queryset()
        assert answers[pk] == list(queryset.values_list(*gates.fields))
        assert all(type(value) is bool for row in answers[pk] for value in row)
    assert answers == {
        user.pk: [(True, False)],
        other_user.pk: [(False, True)],
        inactive.pk: [],
        inactive.pk + 1000: [],
    }
    assert [tuple(row._asdict().items()) for row in answers[user.pk]] == [
        (("achievements_due", True), ("challenges_due", False))
    ]
    no_achievements = _gates(frozenset(), kinds[1])
    assert no_achievements(user_id=user.pk).all() == [(False, False)]
