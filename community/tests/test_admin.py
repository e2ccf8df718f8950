"""The moderation queue and each admin action: audited, and notified to the
author where it touches them."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import AuditLog, User
from accounts.tests.factories import UserFactory
from community.management.commands.community_moderators import moderators_group
from community.models import (
    CommunityBan,
    ContentStatus,
    Post,
    Report,
    SupportGroupMember,
)
from community.tests.factories import (
    CommentFactory,
    MemberFactory,
    PostFactory,
    SupportGroupFactory,
)
from conftest import bearer
from notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    return User.objects.create_superuser("mod@example.com", "x" * 20)


@pytest.fixture
def staff_client(staff):
    client = Client()
    client.force_login(staff)
    return client


def report(target, count, reason="spam"):
    field = "post" if isinstance(target, Post) else "comment"
    for _ in range(count):
        Report.objects.create(reporter=UserFactory(), reason=reason, **{field: target})


def act(client, model, action, objs):
    return client.post(
        f"/admin/community/{model}/",
        {"action": action, "_selected_action": [o.pk for o in objs]},
    )


def audit_actions():
    rows = AuditLog.objects.filter(action=AuditLog.Action.ADMIN_ACTION)
    return [
        (row.metadata.get("community_action"), row.target_type, row.target_id)
        for row in rows.order_by("id")
    ]


def test_queue_lists_crisis_flagged_first_then_most_reported(staff_client):
    quiet = PostFactory(body="nothing to see")
    reported_once = PostFactory(body="reported once")
    report(reported_once, 1)
    reported_twice = PostFactory(body="reported twice")
    report(reported_twice, 1, "spam")
    report(reported_twice, 1, "harassment")
    held = PostFactory(body="held by crisis", status="held", crisis_flagged=True)

    response = staff_client.get("/admin/community/post/")

    assert response.status_code == 200
    queue = list(response.context["cl"].result_list)
    assert [p.pk for p in queue] == [held.pk, reported_twice.pk, reported_once.pk]
    assert quiet.pk not in [p.pk for p in queue]
    content = response.content.decode()
    assert "Spam: 1, Harassment: 1" in content
    everything = staff_client.get("/admin/community/post/?review=all")
    assert len(everything.context["cl"].result_list) == 4


def test_hide_action(staff_client, user):
    post = PostFactory(author=user)
    report(post, 1)

    act(staff_client, "post", "hide", [post])

    post.refresh_from_db()
    assert post.status == ContentStatus.HIDDEN
    assert Report.objects.get().status == Report.Status.ACTIONED
    assert audit_actions() == [("hide", "community.post", str(post.pk))]
    assert Notification.objects.get(user=user).title == "A moderator hid your post"


def test_restore_action_publishes_a_held_post(staff_client, user):
    post = PostFactory(author=user, status="held", crisis_flagged=True)

    act(staff_client, "post", "restore", [post])

    post.refresh_from_db()
    assert post.status == ContentStatus.PUBLISHED
    assert audit_actions() == [("restore", "community.post", str(post.pk))]
    assert Notification.objects.get(user=user).title == "Your post is visible again"


def test_dismiss_action_leaves_the_post_and_closes_reports(staff_client, user):
    post = PostFactory(author=user)
    report(post, 2)

    act(staff_client, "post", "dismiss_reports", [post])

    post.refresh_from_db()
    assert post.status == ContentStatus.PUBLISHED
    assert set(Report.objects.values_list("status", flat=True)) == {"dismissed"}
    assert audit_actions() == [("dismiss", "community.post", str(post.pk))]
    assert Notification.objects.filter(user=user).count() == 0


def test_warn_action(staff_client, user):
    comment = CommentFactory(author=user)
    report(comment, 1)

    act(staff_client, "comment", "warn_author", [comment])

    assert audit_actions() == [("warn", "accounts.user", str(user.pk))]
    notification = Notification.objects.get(user=user)
    assert notification.type == Notification.Type.MODERATION


def test_ban_action_stops_posting(staff_client, user):
    post = PostFactory(author=user)
    report(post, 1)

    act(staff_client, "post", "ban_author", [post])

    assert CommunityBan.objects.filter(user=user).exists()
    assert audit_actions() == [("ban", "accounts.user", str(user.pk))]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=bearer(user))
    refused = client.post("/api/v1/community", {"body": "again"})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "community_banned"
    assert Post.objects.count() == 1


def test_ban_from_group_action(staff_client, user):
    group = SupportGroupFactory()
    MemberFactory(group=group, user=user)
    post = PostFactory(author=user, group=group)
    report(post, 1)

    act(staff_client, "post", "ban_from_group", [post])

    assert SupportGroupMember.objects.get(user=user).status == "banned"
    assert audit_actions() == [("group_ban", "accounts.user", str(user.pk))]
    assert Notification.objects.filter(user=user).count() == 1


def test_approve_a_pending_member(staff_client, user):
    membership = MemberFactory(
        group=SupportGroupFactory(is_private=True), user=user, status="pending"
    )

    act(staff_client, "supportgroupmember", "approve", [membership])

    membership.refresh_from_db()
    assert membership.status == "active"
    assert audit_actions() == [("group_approve", "accounts.user", str(user.pk))]


def test_comment_queue_and_hide(staff_client, user):
    comment = CommentFactory(author=user)
    report(comment, 3)

    queue = staff_client.get("/admin/community/comment/")
    act(staff_client, "comment", "hide", [comment])

    assert [c.pk for c in queue.context["cl"].result_list] == [comment.pk]
    comment.refresh_from_db()
    assert comment.status == ContentStatus.HIDDEN
    assert audit_actions() == [("hide", "community.comment", str(comment.pk))]


def test_moderators_see_community_content_only(client):
    call_command("community_moderators", stdout=StringIO())
    moderator = UserFactory(is_staff=True)
    moderator.groups.add(moderators_group())
    client.force_login(moderator)
    PostFactory()

    assert client.get("/admin/community/post/?review=all").status_code == 200
    assert client.get("/admin/community/blockedterm/").status_code == 200
    for journal_page in ("journalentry", "moodentry", "gratitudeentry"):
        assert client.get(f"/admin/journal/{journal_page}/").status_code == 403
    assert client.get("/admin/accounts/user/").status_code == 403
