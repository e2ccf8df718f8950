"""Deleting a user in the admin runs the privacy erasure, whatever rows they hold."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.utils import timezone

from accounts import services as account_services
from accounts.models import AuditLog, EmailDelivery, User
from accounts.tests.factories import UserFactory
from accounts.tests.walk import rows_linked_to
from coaching.models import AvailabilityException
from coaching.selectors.therapists import therapist_slots
from coaching.services.bookings import booking_create
from coaching.tests.factories import TherapistFactory
from community import services as community_services
from community.models import SupportGroup
from community.tests.factories import PostFactory
from journal import services as journal_services
from notifications.models import Announcement
from notifications.services import notification_create, notification_schedule
from wellness import services as wellness_services
from wellness.models import Achievement, AchievementRule, Challenge, ChallengeGoal
from wellness.tests.factories import (
    ProgramDayFactory,
    WellnessEventFactory,
    WellnessProgramFactory,
)

pytestmark = pytest.mark.django_db


def _user_with_a_row_in_every_model(django_capture_on_commit_callbacks) -> User:
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        pair = account_services.user_login(
            email=user.email, password="correct horse battery staple"
        )[1]
        account_services.token_refresh(raw_refresh=pair.refresh)
        account_services.email_queue(user=user, kind=EmailDelivery.Kind.WELCOME)
        user.groups.add(Group.objects.create(name="beta"))
        user.user_permissions.add(Permission.objects.get(codename="view_user"))
        LogEntry.objects.create(
            user=user,
            content_type=ContentType.objects.get_for_model(Group),
            object_id="1",
            object_repr="beta",
            action_flag=CHANGE,
        )
        mood = journal_services.mood_entry_create(
            user=user, mood="good", intensity=6, emotions=["calm"]
        ).entry
        journal_services.journal_entry_create(
            user=user, body="a private page", tags=["home"], mood_entry=mood
        )
        journal_services.gratitude_entry_create(user=user, items=["tea"])
        program = WellnessProgramFactory(is_published=True)
        ProgramDayFactory(program=program, day_number=1)
        ProgramDayFactory(program=program, day_number=2)
        enrollment, _ = wellness_services.program_enroll(user=user, program=program)
        day = program.days.get(day_number=1)
        session, _ = wellness_services.session_create(
            user=user,
            type=day.session_type,
            title="Day 1",
            planned_duration_seconds=300,
            enrollment_id=enrollment.pk,
            program_day_id=day.pk,
        )
        # The first completed session unlocks this achievement (a UserAchievement).
        Achievement.objects.create(
            code="first-steps",
            name="First steps",
            category=Achievement.Category.PRACTICE,
            rule_kind=AchievementRule.SESSIONS_COMPLETED,
            threshold=1,
        )
        wellness_services.session_complete(session=session, actual_duration_seconds=300)
        challenge = Challenge.objects.create(
            slug="one-sit",
            title="One sit",
            goal_kind=ChallengeGoal.SESSIONS_COMPLETED,
            goal_target=1,
            start_date=timezone.localdate(),
            end_date=timezone.localdate(),
        )
        wellness_services.challenge_join(user=user, challenge=challenge)
        # A seat at an upcoming event: the erasure gives it back.
        wellness_services.event_register(
            user=user, event=WellnessEventFactory(capacity=1)
        )
        group = SupportGroup.objects.create(name="Grief", slug="grief", created_by=user)
        community_services.group_join(group=group, user=user)
        post = community_services.post_create(
            author=user, body="a public post", group_id=group.pk
        ).obj
        other = PostFactory()
        community_services.post_like(post=other, user=user)
        community_services.comment_create(post=other, author=user, body="hello")
        community_services.report_create(reporter=user, post=other, reason="spam")
        community_services.user_ban_community(user=user, actor=user)
        assert post.pk
        notification_create(user=user, type="system", title="Welcome")
        notification_schedule(
            user=user,
            type="system",
            title="Later",
            send_at=timezone.now() + timedelta(days=1),
            dedupe_key="later",
        )
        # A staff member's announcement (its author link is set null).
        Announcement.objects.create(title="New programs", created_by=user)
        # A therapist's account (with hours and time off) that also books a
        # session with another therapist.
        own = TherapistFactory(user=user)
        AvailabilityException.objects.create(
            therapist=own, date=timezone.now().date(), kind="time_off"
        )
        other = TherapistFactory()
        slot = therapist_slots(
            therapist=other,
            start=timezone.now(),
            end=timezone.now() + timedelta(days=7),
        )[0]
        booking_create(user=user, therapist=other, starts_at=slot.starts_at, note="hi")
        # The AI companion (offline provider): a chat, a generated session and
        # the day's usage counter.
        from coaching.services import ai as ai_services

        user.ai_consent_version = settings.AI_CONSENT_VERSION
        user.save(update_fields=["ai_consent_version"])
        ai_services.ai_chat_send(user=user, message="hello")
        ai_services.ai_generation_request(
            user=user, kind="session", params={"goal": "rest", "duration_seconds": 300}
        )
    return user


@pytest.fixture
def superuser_client():
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def staff_client():
    """Staff who may delete users and nothing else."""
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(
        Permission.objects.get(codename="delete_user"),
        Permission.objects.get(codename="view_user"),
    )
    client = Client()
    client.force_login(staff)
    return client


@pytest.mark.parametrize("client_name", ["superuser_client", "staff_client"])
def test_deleting_a_user_with_rows_in_every_model_runs_the_erasure(
    request, client_name, django_capture_on_commit_callbacks
):
    client = request.getfixturevalue(client_name)
    user = _user_with_a_row_in_every_model(django_capture_on_commit_callbacks)
    user_id = user.pk
    before = rows_linked_to(user_id)
    assert [label for label, pks in before.items() if not pks] == []
    url = f"/admin/accounts/user/{user_id}/delete/"

    confirm = client.get(url)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"post": "yes"})

    assert confirm.status_code == 200
    assert confirm.context["perms_lacking"] == set()
    assert confirm.context["protected"] == []
    page = confirm.content.decode()
    assert "Are you sure" in page
    assert "a private page" not in page
    assert response.status_code == 302
    assert not User.objects.filter(pk=user_id).exists()
    assert {label: pks for label, pks in rows_linked_to(user_id).items() if pks} == {}
    erased = AuditLog.objects.get(action="account_delete", target_id=str(user_id))
    assert erased.metadata == {"by": "staff"}
