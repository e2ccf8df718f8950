"""The crisis hold, anonymity in pushes and notifications, and support groups."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from community.models import ContentStatus, Post, SupportGroupMember
from community.tests.factories import MemberFactory, PostFactory, SupportGroupFactory
from conftest import bearer
from kaya.testing import user_events
from notifications import realtime
from notifications.models import Notification

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=bearer(user))
    return client


# --- crisis hold --------------------------------------------------------------


def test_a_flagged_post_is_held_and_its_author_gets_support(
    crisis_data, auth_client, user, other_client
):
    user.timezone = "America/New_York"
    user.save(update_fields=["timezone"])

    response = auth_client.post(
        "/api/v1/community", {"body": "Tonight I want to end my life"}
    )

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "held"
    support = body["support"]
    assert support["message"].startswith("It sounds like things are really hard")
    assert [r["name"] for r in support["resources"]] == ["988 Lifeline", "Online chat"]
    post = Post.objects.get()
    assert post.status == ContentStatus.HELD
    assert post.crisis_flagged is True
    assert other_client.get("/api/v1/community").json()["results"] == []
    assert other_client.get(f"/api/v1/community/{post.pk}").status_code == 404
    own = auth_client.get("/api/v1/community").json()["results"]
    assert [p["id"] for p in own] == [post.pk]


def test_a_flagged_comment_is_held_too(crisis_data, auth_client, other_user):
    post = PostFactory(author=other_user)

    response = auth_client.post(
        f"/api/v1/community/{post.pk}/comments", {"body": "I hurt myself again"}
    )

    assert response.status_code == 201
    assert response.json()["status"] == "held"
    assert response.json()["support"]["resources"]
    post.refresh_from_db()
    assert post.comment_count == 0
    assert Notification.objects.filter(user=other_user).count() == 0


def test_an_unflagged_post_has_no_support(crisis_data, auth_client):
    response = auth_client.post("/api/v1/community", {"body": "A calm evening"})

    assert response.json()["support"] is None
    assert response.json()["status"] == "published"


# --- realtime and anonymity -----------------------------------------------------


def test_group_post_is_pushed_to_members_without_the_anonymous_author(
    user, other_user, django_capture_on_commit_callbacks
):
    other_user.display_name = "Secret Person"
    other_user.save()
    group = SupportGroupFactory()
    MemberFactory(group=group, user=user)
    MemberFactory(group=group, user=other_user)
    drain = user_events(user.pk)

    with django_capture_on_commit_callbacks(execute=True):
        client_for(other_user).post(
            "/api/v1/community",
            {"body": "hello", "group_id": group.pk, "anonymous": True},
        )

    events = drain()
    assert [e["type"] for e in events] == [realtime.COMMUNITY_POST_CREATED]
    data = events[0]["data"]
    assert data["author"] == {"display_name": "Anonymous", "avatar_url": ""}
    assert data["group_id"] == group.pk
    assert "Secret Person" not in str(events)
    assert str(other_user.pk) not in {str(v) for v in data.values()} - {
        str(data["post_id"]),
        str(data["group_id"]),
    }


def test_comment_is_pushed_to_the_post_author_anonymously(
    user, other_user, django_capture_on_commit_callbacks
):
    other_user.display_name = "Secret Person"
    other_user.save()
    post = PostFactory(author=user)
    drain = user_events(user.pk)

    with django_capture_on_commit_callbacks(execute=True):
        client_for(other_user).post(
            f"/api/v1/community/{post.pk}/comments",
            {"body": "hang in there", "anonymous": True},
        )

    events = drain()
    types = sorted(e["type"] for e in events)
    assert types == [realtime.COMMUNITY_COMMENT_CREATED, realtime.NOTIFICATION_CREATED]
    assert "Secret Person" not in str(events)
    notification = Notification.objects.get(user=user)
    assert notification.title == "Anonymous commented on your post"
    assert "Secret Person" not in str(notification.data)


def test_a_held_post_is_not_pushed(
    crisis_data, user, other_user, django_capture_on_commit_callbacks
):
    group = SupportGroupFactory()
    MemberFactory(group=group, user=user)
    MemberFactory(group=group, user=other_user)
    drain = user_events(user.pk)

    with django_capture_on_commit_callbacks(execute=True):
        client_for(other_user).post(
            "/api/v1/community", {"body": "end my life", "group_id": group.pk}
        )

    assert drain() == []


# --- groups -------------------------------------------------------------------


def test_group_list_and_detail(auth_client, user):
    public = SupportGroupFactory(name="A grief circle")
    private = SupportGroupFactory(name="B private", is_private=True)
    MemberFactory(group=private, user=user, status="pending")

    listing = auth_client.get("/api/v1/community/groups").json()["results"]
    detail = auth_client.get(f"/api/v1/community/groups/{public.pk}/")

    assert [(g["id"], g["membership_status"]) for g in listing] == [
        (public.pk, None),
        (private.pk, "pending"),
    ]
    assert detail.status_code == 200
    assert detail.json()["slug"] == public.slug
    assert auth_client.get("/api/v1/community/groups/99999").status_code == 404


@pytest.mark.parametrize("count", [1, 20])
def test_group_list_runs_a_fixed_number_of_queries(
    auth_client, user, count, django_assert_num_queries
):
    for _ in range(count):
        MemberFactory(group=SupportGroupFactory(), user=user)

    # token user, the page with its count
    with django_assert_num_queries(2):
        response = auth_client.get("/api/v1/community/groups")

    assert len(response.json()["results"]) == count


def test_join_public_group_at_once_and_private_pending(auth_client, user):
    public = SupportGroupFactory()
    private = SupportGroupFactory(is_private=True)

    joined = auth_client.post(f"/api/v1/community/groups/{public.pk}/join")
    again = auth_client.post(f"/api/v1/community/groups/{public.pk}/join")
    asked = auth_client.post(f"/api/v1/community/groups/{private.pk}/join")

    assert joined.status_code == 200
    assert joined.json()["status"] == "active"
    assert again.json()["status"] == "active"
    assert asked.json()["status"] == "pending"
    assert SupportGroupMember.objects.filter(user=user).count() == 2
    pending_posts = auth_client.get(f"/api/v1/community/groups/{private.pk}/posts")
    assert pending_posts.status_code == 404


def test_leave_a_group(auth_client, user):
    group = SupportGroupFactory()
    MemberFactory(group=group, user=user)

    response = auth_client.post(f"/api/v1/community/groups/{group.pk}/leave")

    assert response.status_code == 204
    assert SupportGroupMember.objects.filter(user=user).count() == 0


def test_a_banned_member_cannot_rejoin(auth_client, user):
    group = SupportGroupFactory()
    MemberFactory(group=group, user=user, status="banned")

    left = auth_client.post(f"/api/v1/community/groups/{group.pk}/leave")
    response = auth_client.post(f"/api/v1/community/groups/{group.pk}/join")

    assert left.status_code == 204
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "group_banned"
    assert SupportGroupMember.objects.get(user=user).status == "banned"


def test_private_group_posts_are_404_for_non_members(auth_client, other_user):
    private = SupportGroupFactory(is_private=True)
    MemberFactory(group=private, user=other_user)
    post = PostFactory(author=other_user, group=private, body="just for us")

    listing = auth_client.get(f"/api/v1/community/groups/{private.pk}/posts")
    detail = auth_client.get(f"/api/v1/community/{post.pk}")
    comments = auth_client.get(f"/api/v1/community/{post.pk}/comments")
    like = auth_client.post(f"/api/v1/community/{post.pk}/like")

    assert listing.status_code == 404
    assert detail.status_code == 404
    assert comments.status_code == 404
    assert like.status_code == 404
    assert "just for us" not in str(auth_client.get("/api/v1/community").json())


def test_group_posts_for_members(auth_client, user, other_user):
    private = SupportGroupFactory(is_private=True)
    MemberFactory(group=private, user=user)
    MemberFactory(group=private, user=other_user)
    post = PostFactory(author=other_user, group=private)
    PostFactory(author=other_user)

    response = auth_client.get(f"/api/v1/community/groups/{private.pk}/posts")

    assert response.status_code == 200
    assert [p["id"] for p in response.json()["results"]] == [post.pk]


@pytest.mark.parametrize("count", [1, 20])
def test_group_posts_run_a_fixed_number_of_queries(
    auth_client, user, count, django_assert_num_queries
):
    group = SupportGroupFactory()
    for _ in range(count):
        PostFactory(group=group)

    # token user, group, page
    with django_assert_num_queries(3):
        response = auth_client.get(f"/api/v1/community/groups/{group.pk}/posts")

    assert len(response.json()["results"]) == count
