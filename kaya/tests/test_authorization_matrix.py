"""The authorization matrix, walked from Django's URL resolver (kaya/tests/
url_walk.py), so a route added later is covered, or fails here until it is:

- every API view declares its permission classes (none relies on DRF's default);
- an anonymous client gets 401 on every API route and every method, except the
  routes of ``PUBLIC_ROUTES``;
- on every object route, every method, another user's token gets 404 and changes
  nothing (``OWNED`` builds the object with the apps' factories; ``SHARED`` names
  the routes of a directory every user may read, with the reason);
- staff-only pages (the admin) and therapist-only routes refuse normal users.

Every method is sent, including those a route does not document: the response
schema check would refuse those 401s and 404s as undocumented, so it is off here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.apps import apps
from django.db import models
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from coaching.models import TherapistBooking
from coaching.tests.factories import TherapistFactory
from community.models import ContentStatus
from community.tests.factories import CommentFactory, PostFactory
from conftest import bearer
from journal.tests.factories import JournalEntryFactory
from kaya.tests.url_walk import METHODS, Route, declares_permissions, routes
from notifications.tests.factories import NotificationFactory
from wellness.models import ProgramEnrollment
from wellness.tests.factories import WellnessSessionFactory, program_with_days

pytestmark = [
    pytest.mark.django_db,
    # Every method of every route is sent, documented or not (see above).
    pytest.mark.no_response_schema,
]

API_ROUTES = routes("api/v1/")
BY_NAME = {route.name: route for route in API_ROUTES}

# Routes an anonymous client may call: signing up and in, the links in emails
# (verification, password reset, email preferences: a signed token, no login) and
# the documentation.
PUBLIC_ROUTES = frozenset(
    {
        "api-index",
        "schema",
        "docs",
        "redoc",
        "redoc-bundle",
        "register",
        "login",
        "refresh",
        "verify-email-token",
        "verify-email",
        "request-password-reset",
        "reset-password-token",
        "reset-password",
        "email-preferences-email-preferences",
        "email-preferences-unsubscribe",
    }
)

# Path parameters that are not objects: tokens from emails (public routes).
NON_OBJECT_PARAMETERS = frozenset({"token"})


def _object_routes() -> list[Route]:
    return [
        route
        for route in API_ROUTES
        if set(route.kwargs) - NON_OBJECT_PARAMETERS and route.name not in PUBLIC_ROUTES
    ]


# --- explicit permission classes ---------------------------------------------------
def test_the_walk_finds_the_api():
    # A walk that found nothing would make every test below pass.
    assert len(API_ROUTES) > 80
    assert {"login", "entry-detail", "booking-cancel"} <= set(BY_NAME)


@pytest.mark.parametrize("route", API_ROUTES, ids=lambda r: r.name)
def test_every_api_view_declares_its_permission_classes(route):
    if not route.is_drf:
        # A plain Django view has no DRF permission check at all: only a public
        # route may be one.
        assert route.name in PUBLIC_ROUTES, f"{route.pattern} is not a DRF view"
        return
    assert declares_permissions(route.view_class), (
        f"{route.view_class.__qualname__} relies on DEFAULT_PERMISSION_CLASSES: "
        "set permission_classes explicitly"
    )


# --- anonymous ---------------------------------------------------------------------
def _dummy_values(route: Route) -> dict[str, str]:
    return {name: "1" if name != "token" else "not-a-token" for name in route.kwargs}


ANONYMOUS_CASES = [
    pytest.param(route, method, id=f"{method} {route.name}")
    for route in API_ROUTES
    if route.name not in PUBLIC_ROUTES
    for method in METHODS
]


@pytest.mark.parametrize(("route", "method"), ANONYMOUS_CASES)
def test_anonymous_requests_get_401(api_client, route, method):
    response = api_client.generic(
        method, route.path(**_dummy_values(route)), "{}", "application/json"
    )

    assert response.status_code == 401, (method, route.pattern, response.content)
    if method == "HEAD":
        # A HEAD response has no body, by definition (RFC 9110 9.3.2).
        assert response.content == b""
        return
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


@pytest.mark.parametrize("name", sorted(PUBLIC_ROUTES))
def test_every_public_route_exists_and_answers_anonymously(api_client, name):
    # A stale or mistaken allowlist entry would silently exempt a route.
    route = BY_NAME[name]
    method = (route.mapped_methods or ["GET"])[0]

    response = api_client.generic(
        method, route.path(**_dummy_values(route)), "{}", "application/json"
    )

    assert response.status_code != 401, (method, route.pattern)


# --- another user's objects --------------------------------------------------------
def _journal_entry(owner):
    return JournalEntryFactory(user=owner)


def _notification(owner):
    return NotificationFactory(user=owner)


def _held_post(owner):
    # Held for review: only its author sees it, so every route on it is the
    # author's alone (a published post is readable by everyone).
    return PostFactory(author=owner, status=ContentStatus.HELD)


def _comment_on_held_post(owner):
    return CommentFactory(author=owner, post=_held_post(owner))


def _ai_conversation(owner):
    from coaching.models import AIConversation

    return AIConversation.objects.create(user=owner, title="a private talk")


def _ai_job(owner):
    from coaching.models import AIGenerationJob

    return AIGenerationJob.objects.create(
        user=owner, kind="session", params={"goal": "rest"}, request_hash="h"
    )


def _booking(owner):
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=9)
    return TherapistBooking.objects.create(
        user=owner,
        therapist=TherapistFactory(),
        starts_at=start,
        ends_at=start + timedelta(minutes=50),
    )


def _therapists_booking(owner):
    """A booking with the therapist whose account is ``owner``."""
    therapist = TherapistFactory(user=owner)
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=9)
    return TherapistBooking.objects.create(
        user=UserFactory(),
        therapist=therapist,
        starts_at=start,
        ends_at=start + timedelta(minutes=50),
    )


def _session(owner):
    return WellnessSessionFactory(user=owner)


def _enrollment(owner):
    return ProgramEnrollment.objects.create(user=owner, program=program_with_days())


# Object routes, by route name: how to build the object ``owner`` owns. Another
# user must get 404 on every method of the route, and change nothing.
OWNED: dict[str, Callable[[Any], models.Model]] = {
    "notification-read": _notification,
    "entry-detail": _journal_entry,
    "comment-detail": _comment_on_held_post,
    "comment-report": _comment_on_held_post,
    "post-detail": _held_post,
    "post-comments": _held_post,
    "post-like": _held_post,
    "post-report": _held_post,
    "post-unlike": _held_post,
    "booking-detail": _booking,
    "ai-conversation-detail": _ai_conversation,
    "ai-job-detail": _ai_job,
    "booking-calendar": _booking,
    "booking-cancel": _booking,
    "booking-reschedule": _booking,
    "therapist-booking-detail": _therapists_booking,
    "therapist-booking-confirm": _therapists_booking,
    "therapist-booking-decline": _therapists_booking,
    "session-detail": _session,
    "session-abandon": _session,
    "session-complete": _session,
    "session-progress": _session,
    "enrollment-progress": _enrollment,
}

# Object routes on a catalogue every signed-in user may read and act on (join,
# enrol, register): nobody owns the object, so there is no "other user" to refuse.
SHARED: dict[str, str] = {
    "group-detail": "support groups are a directory (a private group's posts "
    "are 404 to non-members: community tests)",
    "group-join": "anyone may ask to join a group",
    "group-leave": "leaving acts on the caller's own membership only",
    "group-posts": "a public group's posts are for everyone; a private group's "
    "for its members (community/tests/test_safety_and_groups.py)",
    "therapist-detail": "therapist profiles are a public directory",
    "therapist-slots": "free slots are public so that anyone can book",
    "program-detail": "published programs are a catalogue",
    "program-enroll": "anyone may enrol in a published program",
    "challenge-join": "anyone may join (and leave) an active challenge",
    "challenge-leaderboard": "display names of opted-in participants only",
    "event-detail": "published events are a catalogue",
    "event-calendar": "a published event's calendar file",
    "event-register": "anyone may register (and cancel their own registration)",
}


def test_every_object_route_is_in_the_matrix():
    names = {route.name for route in _object_routes()}

    missing = names - set(OWNED) - set(SHARED)
    assert not missing, (
        f"object routes with no entry in OWNED or SHARED: {sorted(missing)}: "
        "add a factory (or a reason) so the cross-user check covers them"
    )
    assert not (set(OWNED) | set(SHARED)) - names, "entries for routes that are gone"
    assert not set(OWNED) & set(SHARED)


def _snapshot(obj: models.Model) -> tuple[dict[str, Any], dict[str, int]]:
    """The object's row and the row count of every table: a refused request
    neither edits the object nor writes anything beside it."""
    row = type(obj).objects.filter(pk=obj.pk).values().get()
    counts = {model._meta.label: model.objects.count() for model in apps.get_models()}
    return row, counts


def _client_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=bearer(user))
    return client


OBJECT_CASES = [
    pytest.param(route, method, id=f"{method} {route.name}")
    for route in _object_routes()
    if route.name in OWNED
    for method in route.mapped_methods
]


@pytest.mark.parametrize(("route", "method"), OBJECT_CASES)
def test_another_users_object_is_404_and_unchanged(route, method):
    owner, stranger = UserFactory(), UserFactory()
    if route.name.startswith("therapist-booking"):
        # The stranger is a therapist too: only the booking's own therapist sees it.
        TherapistFactory(user=stranger)
    obj = OWNED[route.name](owner)
    [parameter] = route.kwargs
    url = route.path(**{parameter: obj.pk})
    before = _snapshot(obj)

    response = _client_for(stranger).generic(method, url, "{}", "application/json")

    assert response.status_code == 404, (method, url, response.content)
    if method != "HEAD":
        assert response.json()["error"]["code"] == "not_found"
    assert _snapshot(obj) == before

    # The owner does reach it (else the 404 above proves nothing).
    response = _client_for(owner).generic(method, url, "{}", "application/json")
    assert response.status_code != 404, (method, url, response.content)


# --- staff-only and therapist-only -------------------------------------------------
ADMIN_OPEN = frozenset({"login", "logout"})
ADMIN_ROUTES = [
    route for route in routes("admin/") if route.name.split(":")[-1] not in ADMIN_OPEN
]


def test_the_walk_finds_the_admin():
    assert len(ADMIN_ROUTES) > 20


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("route", ADMIN_ROUTES, ids=lambda r: r.name or r.pattern)
def test_the_admin_refuses_a_signed_in_user_who_is_not_staff(client, route, method):
    client.force_login(UserFactory(is_staff=False))
    url = route.path(**{name: "1" for name in route.kwargs})

    response = client.generic(method, url)

    assert response.status_code == 302, (method, url)
    assert response["Location"].startswith(reverse("admin:login") + "?next=")


THERAPIST_ONLY = [route for route in API_ROUTES if route.name.startswith("therapist-b")]


def test_the_walk_finds_the_therapist_routes():
    assert len(THERAPIST_ONLY) == 4


@pytest.mark.parametrize(
    ("route", "method"),
    [
        pytest.param(route, method, id=f"{method} {route.name}")
        for route in THERAPIST_ONLY
        for method in route.mapped_methods
    ],
)
def test_therapist_routes_refuse_a_user_who_is_not_a_therapist(route, method):
    booking = _therapists_booking(UserFactory())
    url = route.path(**{name: booking.pk for name in route.kwargs})
    client = _client_for(booking.user)  # the client of the booking, not a therapist
    before = _snapshot(booking)

    response = client.generic(method, url, "{}", "application/json")

    assert response.status_code == 403
    if method != "HEAD":
        assert response.json()["error"]["code"] == "not_a_therapist"
    assert _snapshot(booking) == before
