"""Parallel likes on PostgreSQL: the like count stays exact.

Real threads with their own database connections: distinct users liking at
once must each count once, and one user liking many times at once must count
once (the unique constraint decides, the counter moves with F())."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from community.models import Post, PostLike
from community.tests.factories import PostFactory
from conftest import bearer

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PARALLEL = 12


def _in_parallel(requests) -> list[int]:
    barrier = threading.Barrier(len(requests))
    lock = threading.Lock()
    statuses: list[int] = []

    def run(request) -> None:
        try:
            barrier.wait(timeout=10)
            status = request()
            with lock:
                statuses.append(status)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(r,)) for r in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return statuses


def _liker(user, post_id, method="post", action="like"):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=bearer(user))

    def request() -> int:
        call = getattr(client, method)
        return call(f"/api/v1/community/{post_id}/{action}").status_code

    return request


def test_parallel_likes_by_distinct_users_are_counted_exactly():
    post = PostFactory()
    users = [UserFactory() for _ in range(PARALLEL)]

    statuses = _in_parallel([_liker(user, post.pk) for user in users])

    assert statuses == [200] * PARALLEL
    post.refresh_from_db()
    assert post.like_count == PARALLEL
    assert PostLike.objects.filter(post=post).count() == PARALLEL


def test_parallel_likes_by_one_user_count_once():
    post = PostFactory()
    user = UserFactory()

    statuses = _in_parallel([_liker(user, post.pk) for _ in range(PARALLEL)])

    assert statuses == [200] * PARALLEL
    assert Post.objects.get(pk=post.pk).like_count == 1
    assert PostLike.objects.filter(post=post).count() == 1


def test_parallel_unlikes_by_one_user_count_once():
    post = PostFactory(like_count=2)
    user = UserFactory()
    PostLike.objects.create(post=post, user=user)
    PostLike.objects.create(post=post, user=UserFactory())

    statuses = _in_parallel(
        [_liker(user, post.pk, "delete", "unlike") for _ in range(PARALLEL)]
    )

    assert statuses == [200] * PARALLEL
    assert Post.objects.get(pk=post.pk).like_count == 1
