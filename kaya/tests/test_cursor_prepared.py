"""The cursor paginator over a prepared query's rows (``kaya.prepared``) walks
the same pages, with the same links, as over the selector's queryset: forward,
back, across posts that share a timestamp (the cursor's offset), and refuses a
bad position the same way."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from accounts.tests.factories import UserFactory
from community.models import ContentStatus, Post
from community.selectors import post_visible_list
from kaya.pagination import NewestFirstCursorPagination
from kaya.prepared import PreparedQuery

pytestmark = pytest.mark.django_db

feed_rows = PreparedQuery(
    post_visible_list, fields=("id", "author_id", "liked", "created_at")
)


def _page(rows, url):
    paginator = NewestFirstCursorPagination()
    page = paginator.paginate_queryset(rows, Request(APIRequestFactory().get(url)))
    ids = [row.id for row in page]
    return ids, paginator.get_next_link(), paginator.get_previous_link()


def _walk(rows_of, url, link):
    """Every page from ``url`` on, following the ``link`` (1 next, 2 previous)."""
    pages = []
    while url and len(pages) < 30:
        page = _page(rows_of(), url)
        pages.append(page)
        url = page[link]
    return pages


def _posts(user, other):
    """Four posts sharing a timestamp (the cursor needs its offset there), three
    later ones, and posts the feed does not show this user."""
    moment = timezone.now() - timedelta(days=1)
    for n in range(7):
        post = Post.objects.create(author=other, body=f"Post {n}")
        at = moment + timedelta(hours=max(n - 3, 0))
        Post.objects.filter(pk=post.pk).update(created_at=at)
    Post.objects.create(author=other, body="Hidden", status=ContentStatus.HIDDEN)
    Post.objects.create(author=user, body="Mine, held", status=ContentStatus.HELD)
    Post.objects.create(author=other, body="Deleted", deleted_at=timezone.now())


@pytest.mark.parametrize("size", [1, 2, 3, 20])
def test_prepared_rows_walk_the_same_pages_and_links_as_the_queryset(user, size):
    _posts(user, UserFactory())
    start = f"/api/v1/community?page_size={size}"

    forward = _walk(lambda: post_visible_list(user=user), start, 1)
    prepared = _walk(lambda: feed_rows(user=user), start, 1)
    back = _walk(lambda: post_visible_list(user=user), forward[-1][2], 2)
    prepared_back = _walk(lambda: feed_rows(user=user), forward[-1][2], 2)

    assert prepared == forward
    assert prepared_back == back
    assert sum(len(ids) for ids, _, _ in forward) == 8


def test_prepared_rows_refuse_a_bad_position_as_the_queryset_does(user):
    cursor = base64.b64encode(b"p=not-a-time").decode()
    url = f"/api/v1/community?cursor={cursor}"

    with pytest.raises(ValidationError) as by_queryset:
        _page(post_visible_list(user=user), url)
    with pytest.raises(ValidationError) as by_rows:
        _page(feed_rows(user=user), url)

    assert by_rows.value.messages == by_queryset.value.messages
