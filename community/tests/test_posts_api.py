"""Posts: feed, create, edit/delete, likes, comments and reports over the API."""

from __future__ import annotations

import pytest

from accounts.tests.factories import UserFactory
from community.models import Comment, ContentStatus, Post, PostLike, Report
from community.tests.factories import (
    BlockedTermFactory,
    CommentFactory,
    MemberFactory,
    PostFactory,
    SupportGroupFactory,
)
from conftest import bearer
from notifications.models import Notification, ScheduledNotification

pytestmark = pytest.mark.django_db


def client_for(user):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=bearer(user))
    return client


# --- feed -------------------------------------------------------------------


def test_feed_shape_newest_first(auth_client, user, other_user):
    other_user.display_name = "Robin"
    other_user.avatar_url = "https://img.example/robin.png"
    other_user.save()
    older = PostFactory(author=other_user, body="older", topics=["grief"])
    newer = PostFactory(author=user, body="newer")
    PostLike.objects.create(post=older, user=user)
    Post.objects.filter(pk=older.pk).update(like_count=1, comment_count=2)

    response = auth_client.get("/api/v1/community")

    assert response.status_code == 200
    results = response.json()["results"]
    assert [p["id"] for p in results] == [newer.pk, older.pk]
    first = results[1]
    assert first["author"] == {
        "display_name": "Robin",
        "avatar_url": "https://img.example/robin.png",
    }
    assert first["body"] == "older"
    assert first["topics"] == ["grief"]
    assert first["group"] is None
    assert first["like_count"] == 1
    assert first["comment_count"] == 2
    assert first["liked"] is True
    assert first["is_author"] is False
    assert results[0]["liked"] is False
    assert results[0]["is_author"] is True
    assert set(first) == {
        "id",
        "author",
        "is_author",
        "anonymous",
        "body",
        "group",
        "topics",
        "status",
        "like_count",
        "comment_count",
        "liked",
        "created_at",
        "edited_at",
    }


@pytest.mark.parametrize("count", [1, 20])
def test_feed_runs_a_fixed_number_of_queries(
    auth_client, user, count, django_assert_num_queries
):
    group = SupportGroupFactory()
    MemberFactory(group=group, user=user)
    for index in range(count):
        post = PostFactory(group=group if index % 2 else None)
        PostLike.objects.create(post=post, user=user)

    # The token's user, then the page.
    with django_assert_num_queries(2):
        response = auth_client.get("/api/v1/community")

    assert len(response.json()["results"]) == count


def test_feed_is_cursor_paginated(auth_client):
    posts = [PostFactory() for _ in range(3)]

    first = auth_client.get("/api/v1/community", {"page_size": 2}).json()
    second = auth_client.get(first["next"]).json()

    assert [p["id"] for p in first["results"]] == [posts[2].pk, posts[1].pk]
    assert [p["id"] for p in second["results"]] == [posts[0].pk]


def test_feed_hides_other_groups_held_hidden_and_deleted_posts(
    auth_client, user, other_user
):
    visible = PostFactory(author=other_user)
    PostFactory(author=other_user, group=SupportGroupFactory())
    PostFactory(author=other_user, status=ContentStatus.HELD)
    PostFactory(author=other_user, status=ContentStatus.HIDDEN)
    PostFactory(author=other_user, deleted_at="2026-01-01T00:00:00Z")
    own_held = PostFactory(author=user, status=ContentStatus.HELD)

    ids = [p["id"] for p in auth_client.get("/api/v1/community").json()["results"]]

    assert ids == [own_held.pk, visible.pk]


def test_anonymous_post_never_shows_its_author_to_others(user, other_user):
    user.display_name = "Real Name"
    user.avatar_url = "https://img.example/me.png"
    user.save()
    response = client_for(user).post(
        "/api/v1/community", {"body": "hard day", "anonymous": True}
    )
    assert response.status_code == 201

    seen = client_for(other_user).get("/api/v1/community").json()["results"][0]

    assert seen["author"] == {"display_name": "Anonymous", "avatar_url": ""}
    assert seen["anonymous"] is True
    assert seen["is_author"] is False
    assert "Real Name" not in str(seen)
    assert str(user.pk) not in {str(v) for v in seen.values()} - {str(seen["id"])}


# --- create -----------------------------------------------------------------


def test_create_post(auth_client, user):
    response = auth_client.post(
        "/api/v1/community/",
        {"body": "  Hello everyone  ", "topics": ["grief", "sleep"]},
    )

    assert response.status_code == 201
    body = response.json()
    post = Post.objects.get()
    assert body["id"] == post.pk
    assert body["body"] == "Hello everyone"
    assert body["topics"] == ["grief", "sleep"]
    assert body["status"] == "published"
    assert body["support"] is None
    assert body["like_count"] == 0
    assert body["liked"] is False
    assert post.author == user


@pytest.mark.parametrize(
    "payload, field",
    [
        ({}, "body"),
        ({"body": ""}, "body"),
        ({"body": "x" * 5001}, "body"),
        ({"body": "ok", "topics": ["Not Valid!"]}, "topics"),
        ({"body": "ok", "group_id": "abc"}, "group_id"),
    ],
)
def test_create_post_refuses_bad_input(auth_client, payload, field):
    response = auth_client.post("/api/v1/community", payload, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    # An error about one item of a list is keyed by its path ("topics.0").
    assert field in {name.split(".")[0] for name in response.json()["error"]["fields"]}
    assert Post.objects.count() == 0


def test_create_accepts_5000_characters(auth_client):
    response = auth_client.post("/api/v1/community", {"body": "x" * 5000})

    assert response.status_code == 201


@pytest.mark.parametrize(
    "payload, stored",
    [
        ("<script>alert(1)</script>Hi", "Hi"),
        ('<img src=x onerror="alert(1)">Look', "Look"),
        ('<a href="javascript:alert(1)">click</a>', "click"),
        ("I <3 you & all", "I <3 you & all"),
    ],
)
def test_xss_payloads_are_stored_inert(auth_client, payload, stored):
    response = auth_client.post("/api/v1/community", {"body": payload})

    assert response.status_code == 201
    assert Post.objects.get().body == stored
    assert response.json()["body"] == stored


def test_markup_only_body_is_refused(auth_client):
    response = auth_client.post(
        "/api/v1/community", {"body": "<script>alert(1)</script>"}
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "empty_text"
    assert Post.objects.count() == 0


def test_blocked_terms_are_refused_with_a_clear_code(auth_client):
    BlockedTermFactory(term="buy pills")

    refused = auth_client.post("/api/v1/community", {"body": "BUY PILLS here"})
    accepted = auth_client.post("/api/v1/community", {"body": "buy pillsbury"})

    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "blocked_term"
    assert accepted.status_code == 201
    assert list(Post.objects.values_list("body", flat=True)) == ["buy pillsbury"]


def test_posting_in_a_group_requires_membership(auth_client, user):
    public = SupportGroupFactory()
    private = SupportGroupFactory(is_private=True)
    mine = SupportGroupFactory()
    MemberFactory(group=mine, user=user)

    not_member = auth_client.post(
        "/api/v1/community", {"body": "hi", "group_id": public.pk}
    )
    hidden = auth_client.post(
        "/api/v1/community", {"body": "hi", "group_id": private.pk}
    )
    missing = auth_client.post("/api/v1/community", {"body": "hi", "group_id": 99999})
    ok = auth_client.post("/api/v1/community", {"body": "hi", "group_id": mine.pk})

    assert not_member.status_code == 403
    assert not_member.json()["error"]["code"] == "not_group_member"
    assert hidden.status_code == 404
    assert missing.status_code == 404
    assert ok.status_code == 201
    assert ok.json()["group"] == {"id": mine.pk, "name": mine.name, "slug": mine.slug}
    assert Post.objects.count() == 1


def test_posting_is_rate_limited_per_user(auth_client, other_client, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "community_post": "2/h",
        },
    }
    from kaya.throttles import CommunityPostThrottle

    CommunityPostThrottle.THROTTLE_RATES = settings.REST_FRAMEWORK[
        "DEFAULT_THROTTLE_RATES"
    ]
    try:
        codes = [
            auth_client.post("/api/v1/community", {"body": f"p{i}"}).status_code
            for i in range(3)
        ]
        other = other_client.post("/api/v1/community", {"body": "mine"})
    finally:
        from rest_framework.settings import api_settings

        CommunityPostThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES

    assert codes == [201, 201, 429]
    assert other.status_code == 201
    assert Post.objects.count() == 3


# --- edit / delete ------------------------------------------------------------


def test_author_edits_and_deletes_their_post(auth_client, user):
    post = PostFactory(author=user, body="before")

    edited = auth_client.patch(f"/api/v1/community/{post.pk}", {"body": "after"})
    deleted = auth_client.delete(f"/api/v1/community/{post.pk}/")

    assert edited.status_code == 200
    assert edited.json()["body"] == "after"
    assert edited.json()["edited_at"] is not None
    assert deleted.status_code == 204
    post.refresh_from_db()
    assert post.deleted_at is not None
    assert auth_client.get("/api/v1/community").json()["results"] == []
    assert auth_client.get(f"/api/v1/community/{post.pk}").status_code == 404


def test_other_users_post_cannot_be_edited_or_deleted(auth_client, other_user):
    post = PostFactory(author=other_user, body="theirs")

    edit = auth_client.patch(f"/api/v1/community/{post.pk}", {"body": "mine now"})
    delete = auth_client.delete(f"/api/v1/community/{post.pk}")

    assert edit.status_code == 404
    assert edit.json()["error"]["code"] == "not_found"
    assert delete.status_code == 404
    post.refresh_from_db()
    assert post.body == "theirs"
    assert post.deleted_at is None


def test_edit_refuses_bad_input(auth_client, user):
    post = PostFactory(author=user, body="before")

    empty = auth_client.patch(f"/api/v1/community/{post.pk}", {}, format="json")
    long = auth_client.patch(f"/api/v1/community/{post.pk}", {"body": "x" * 5001})

    assert empty.status_code == 400
    assert long.status_code == 400
    post.refresh_from_db()
    assert post.body == "before"


# --- likes ------------------------------------------------------------------


def test_like_and_unlike_are_idempotent(auth_client, user, other_user):
    post = PostFactory(author=other_user)

    first = auth_client.post(f"/api/v1/community/{post.pk}/like")
    again = auth_client.post(f"/api/v1/community/{post.pk}/like/")

    assert first.status_code == 200
    assert first.json() == {"post_id": post.pk, "liked": True, "like_count": 1}
    assert again.json() == {"post_id": post.pk, "liked": True, "like_count": 1}

    gone = auth_client.delete(f"/api/v1/community/{post.pk}/unlike")
    gone_again = auth_client.delete(f"/api/v1/community/{post.pk}/unlike/")

    assert gone.json() == {"post_id": post.pk, "liked": False, "like_count": 0}
    assert gone_again.json() == {"post_id": post.pk, "liked": False, "like_count": 0}
    assert PostLike.objects.count() == 0


def test_likes_notify_the_author_batched(user, other_user):
    post = PostFactory(author=other_user)
    for liker in [user, UserFactory(), UserFactory()]:
        client_for(liker).post(f"/api/v1/community/{post.pk}/like")

    scheduled = ScheduledNotification.objects.get()
    assert scheduled.user == other_user
    assert scheduled.type == Notification.Type.COMMUNITY_LIKE
    assert scheduled.data == {"post_id": post.pk}
    assert user.display_name not in scheduled.title
    assert Notification.objects.count() == 0


def test_like_of_a_post_you_cannot_see_is_404(auth_client):
    post = PostFactory(group=SupportGroupFactory(is_private=True))

    response = auth_client.post(f"/api/v1/community/{post.pk}/like")

    assert response.status_code == 404
    assert PostLike.objects.count() == 0


# --- comments ---------------------------------------------------------------


def test_comments_with_one_level_of_replies(auth_client, user, other_user):
    post = PostFactory(author=other_user)

    top = auth_client.post(f"/api/v1/community/{post.pk}/comments", {"body": "hug"})
    reply = auth_client.post(
        f"/api/v1/community/{post.pk}/comments",
        {"body": "thanks", "parent_id": top.json()["id"]},
    )
    too_deep = auth_client.post(
        f"/api/v1/community/{post.pk}/comments",
        {"body": "deeper", "parent_id": reply.json()["id"]},
    )

    assert top.status_code == 201
    assert reply.status_code == 201
    assert too_deep.status_code == 400
    assert too_deep.json()["error"]["code"] == "reply_too_deep"
    listing = auth_client.get(f"/api/v1/community/{post.pk}/comments").json()
    assert [c["body"] for c in listing["results"]] == ["hug"]
    assert [r["body"] for r in listing["results"][0]["replies"]] == ["thanks"]
    assert listing["results"][0]["replies"][0]["parent_id"] == top.json()["id"]
    post.refresh_from_db()
    assert post.comment_count == 2


def test_comment_refuses_bad_input(auth_client, other_user):
    post = PostFactory(author=other_user)
    elsewhere = CommentFactory()

    empty = auth_client.post(f"/api/v1/community/{post.pk}/comments", {"body": ""})
    wrong_parent = auth_client.post(
        f"/api/v1/community/{post.pk}/comments",
        {"body": "x", "parent_id": elsewhere.pk},
    )

    assert empty.status_code == 400
    assert wrong_parent.status_code == 400
    assert wrong_parent.json()["error"]["code"] == "parent_not_found"
    assert Comment.objects.filter(post=post).count() == 0


@pytest.mark.parametrize("count", [1, 20])
def test_comment_list_runs_a_fixed_number_of_queries(
    auth_client, count, django_assert_num_queries
):
    post = PostFactory()
    for _ in range(count):
        top = CommentFactory(post=post)
        CommentFactory(post=post, parent=top)

    # token user, post, comments with their count, replies
    with django_assert_num_queries(4):
        response = auth_client.get(f"/api/v1/community/{post.pk}/comments")

    assert len(response.json()["results"]) == count


def test_commenting_notifies_the_post_author(user, other_user):
    user.display_name = "Sam"
    user.save()
    post = PostFactory(author=other_user)

    client_for(user).post(f"/api/v1/community/{post.pk}/comments", {"body": "hi"})
    client_for(user).post(
        f"/api/v1/community/{post.pk}/comments", {"body": "again", "anonymous": True}
    )

    titles = list(
        Notification.objects.filter(user=other_user)
        .order_by("id")
        .values_list("title", flat=True)
    )
    assert titles == ["Sam commented on your post", "Anonymous commented on your post"]


def test_comment_edit_and_delete_by_author_only(auth_client, user, other_user):
    mine = CommentFactory(author=user, body="mine")
    theirs = CommentFactory(author=other_user, body="theirs")

    edited = auth_client.patch(
        f"/api/v1/community/comments/{mine.pk}", {"body": "edited"}
    )
    refused_edit = auth_client.patch(
        f"/api/v1/community/comments/{theirs.pk}", {"body": "x"}
    )
    refused_delete = auth_client.delete(f"/api/v1/community/comments/{theirs.pk}")
    deleted = auth_client.delete(f"/api/v1/community/comments/{mine.pk}")

    assert edited.status_code == 200
    assert edited.json()["body"] == "edited"
    assert refused_edit.status_code == 404
    assert refused_delete.status_code == 404
    assert deleted.status_code == 204
    theirs.refresh_from_db()
    assert theirs.body == "theirs"
    assert theirs.deleted_at is None
    listing = auth_client.get(f"/api/v1/community/{mine.post_id}/comments").json()
    assert listing["results"][0]["removed"] is True
    assert listing["results"][0]["body"] == ""
    assert listing["results"][0]["author"]["display_name"] == "Anonymous"


def test_comment_edit_refuses_bad_input(auth_client, user):
    mine = CommentFactory(author=user, body="mine")

    response = auth_client.patch(f"/api/v1/community/comments/{mine.pk}", {})

    assert response.status_code == 400
    mine.refresh_from_db()
    assert mine.body == "mine"


# --- reports ----------------------------------------------------------------


def test_report_post_and_comment(auth_client, user):
    post = PostFactory()
    comment = CommentFactory(post=post)

    first = auth_client.post(
        f"/api/v1/community/{post.pk}/report", {"reason": "spam", "details": "ads"}
    )
    again = auth_client.post(f"/api/v1/community/{post.pk}/report", {"reason": "spam"})
    on_comment = auth_client.post(
        f"/api/v1/community/comments/{comment.pk}/report", {"reason": "harassment"}
    )
    bad = auth_client.post(f"/api/v1/community/{post.pk}/report", {"reason": "meh"})

    assert first.status_code == 201
    assert first.json()["reason"] == "spam"
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "already_reported"
    assert on_comment.status_code == 201
    assert bad.status_code == 400
    assert Report.objects.count() == 2


def test_three_distinct_reports_hide_a_post_from_all_but_its_author(other_user):
    post = PostFactory(author=other_user)
    reporters = [UserFactory() for _ in range(3)]

    for reporter in reporters[:2]:
        client_for(reporter).post(
            f"/api/v1/community/{post.pk}/report", {"reason": "spam"}
        )
    post.refresh_from_db()
    assert post.status == ContentStatus.PUBLISHED
    client_for(reporters[2]).post(
        f"/api/v1/community/{post.pk}/report", {"reason": "harassment"}
    )

    post.refresh_from_db()
    assert post.status == ContentStatus.HIDDEN
    viewer = client_for(UserFactory())
    assert viewer.get("/api/v1/community").json()["results"] == []
    assert viewer.get(f"/api/v1/community/{post.pk}").status_code == 404
    author_view = client_for(other_user).get("/api/v1/community").json()
    assert [p["id"] for p in author_view["results"]] == [post.pk]
    assert author_view["results"][0]["status"] == "hidden"
