"""The community's part of the privacy export and account erasure."""

from __future__ import annotations

import pytest

from accounts.registry import privacy
from community.models import Comment, Post, PostLike, Report, SupportGroupMember
from community.privacy import community_erase, community_export
from community.tests.factories import (
    CommentFactory,
    MemberFactory,
    PostFactory,
    SupportGroupFactory,
)

pytestmark = pytest.mark.django_db


def test_community_is_registered_with_the_privacy_registry():
    assert "community" in privacy.handlers
    assert "community.Post" in privacy.covered_models()


def test_export_holds_what_the_user_wrote(user, other_user):
    post = PostFactory(author=user, body="mine", is_anonymous=True)
    CommentFactory(author=user, post=PostFactory(author=other_user), body="hello")
    PostLike.objects.create(post=PostFactory(author=other_user), user=user)
    MemberFactory(group=SupportGroupFactory(), user=user)
    PostFactory(author=other_user, body="not mine")

    exported = community_export(user)

    assert [
        (p["id"], p["body"], p["anonymous"]) for p in exported["community_posts"]
    ] == [(post.pk, "mine", True)]
    assert [c["body"] for c in exported["community_comments"]] == ["hello"]
    assert len(exported["community_likes"]) == 1
    assert len(exported["community_groups"]) == 1
    assert "not mine" not in str(exported)


def test_erase_removes_the_users_rows_and_recounts_others_posts(user, other_user):
    theirs = PostFactory(author=other_user, like_count=2, comment_count=2)
    PostLike.objects.create(post=theirs, user=user)
    PostLike.objects.create(post=theirs, user=other_user)
    CommentFactory(post=theirs, author=user)
    CommentFactory(post=theirs, author=other_user)
    PostFactory(author=user)
    Report.objects.create(reporter=user, post=theirs, reason="spam")
    MemberFactory(group=SupportGroupFactory(), user=user)

    community_erase(user)

    assert Post.objects.filter(author=user).count() == 0
    assert Comment.objects.filter(author=user).count() == 0
    assert PostLike.objects.filter(user=user).count() == 0
    assert Report.objects.filter(reporter=user).count() == 0
    assert SupportGroupMember.objects.filter(user=user).count() == 0
    theirs.refresh_from_db()
    assert (theirs.like_count, theirs.comment_count) == (1, 1)
