"""Every changelist of the staff console renders 50 rows within a fixed number
of queries (no N+1). The models come from the admin registry itself, so a new
admin without rows to render here fails this test until it gets a builder."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import (
    BlacklistedToken,
    OutstandingToken,
)

from accounts.tests.factories import (
    AuditLogFactory,
    EmailDeliveryFactory,
    UserFactory,
)
from coaching.models import AICrisisReferralDay
from coaching.tests.factories import TherapistBookingFactory, TherapistFactory
from community.tests.factories import (
    BlockedTermFactory,
    CommentFactory,
    CommunityBanFactory,
    MemberFactory,
    PostFactory,
    ReportFactory,
    SupportGroupFactory,
)
from journal.tests.factories import (
    CrisisPhraseFactory,
    CrisisResourceFactory,
    GratitudeEntryFactory,
    JournalEntryFactory,
    MoodEntryFactory,
    PromptFactory,
)
from kaya.models import OutboxEmail
from notifications.tests.factories import (
    AnnouncementFactory,
    NotificationFactory,
    ScheduledNotificationFactory,
)
from wellness.tests.factories import (
    AchievementFactory,
    ChallengeFactory,
    EventRegistrationFactory,
    ProgramEnrollmentFactory,
    StreakFactory,
    UserAchievementFactory,
    WellnessEventFactory,
    WellnessProgramFactory,
    WellnessSessionFactory,
)

pytestmark = pytest.mark.django_db

ROWS = 50
# Session, user, the page's count queries, list filters' choices, the rows and
# their prefetches: a fixed number, whatever the number of rows.
QUERY_BUDGET = 14


def _outstanding_tokens(n: int) -> list[OutstandingToken]:
    user = UserFactory()
    return [
        OutstandingToken.objects.create(
            user=user,
            jti=uuid.uuid4().hex,
            token="header.payload.signature",
            expires_at=timezone.now() + timedelta(days=1),
        )
        for _ in range(n)
    ]


def _blacklisted_tokens(n: int) -> list[BlacklistedToken]:
    return [BlacklistedToken.objects.create(token=t) for t in _outstanding_tokens(n)]


def _reported_posts(n: int) -> None:
    for post in PostFactory.create_batch(n, crisis_flagged=True):
        ReportFactory(post=post)


def _reported_comments(n: int) -> None:
    for comment in CommentFactory.create_batch(n):
        ReportFactory(post=None, comment=comment)


def _moods(n: int) -> None:
    MoodEntryFactory.create_batch(n)


BUILDERS: dict[str, Callable[[int], object]] = {
    "auth.group": lambda n: [Group.objects.create(name=f"Team {i}") for i in range(n)],
    "token_blacklist.outstandingtoken": _outstanding_tokens,
    "token_blacklist.blacklistedtoken": _blacklisted_tokens,
    "kaya.outboxemail": lambda n: [
        OutboxEmail.objects.create(
            kind="notifications.notification", object_id=i, idempotency_key=f"k:{i}"
        )
        for i in range(n)
    ],
    "accounts.user": UserFactory.create_batch,
    "accounts.auditlog": AuditLogFactory.create_batch,
    "accounts.emaildelivery": EmailDeliveryFactory.create_batch,
    "notifications.notification": NotificationFactory.create_batch,
    "notifications.schedulednotification": ScheduledNotificationFactory.create_batch,
    "notifications.announcement": AnnouncementFactory.create_batch,
    "journal.prompt": PromptFactory.create_batch,
    "journal.crisisresource": CrisisResourceFactory.create_batch,
    "journal.crisisphrase": CrisisPhraseFactory.create_batch,
    "journal.journalentry": JournalEntryFactory.create_batch,
    "journal.gratitudeentry": GratitudeEntryFactory.create_batch,
    "journal.moodentry": _moods,
    "community.supportgroup": SupportGroupFactory.create_batch,
    "community.supportgroupmember": MemberFactory.create_batch,
    "community.post": _reported_posts,
    "community.comment": _reported_comments,
    "community.blockedterm": BlockedTermFactory.create_batch,
    "community.communityban": CommunityBanFactory.create_batch,
    "coaching.therapist": TherapistFactory.create_batch,
    "coaching.therapistbooking": TherapistBookingFactory.create_batch,
    "coaching.aicrisisreferralday": lambda n: AICrisisReferralDay.objects.bulk_create(
        AICrisisReferralDay(date=timezone.now().date() - timedelta(days=i), count=i)
        for i in range(n)
    ),
    "wellness.wellnessprogram": WellnessProgramFactory.create_batch,
    "wellness.wellnesssession": WellnessSessionFactory.create_batch,
    "wellness.programenrollment": ProgramEnrollmentFactory.create_batch,
    "wellness.streak": StreakFactory.create_batch,
    "wellness.achievement": AchievementFactory.create_batch,
    "wellness.userachievement": UserAchievementFactory.create_batch,
    "wellness.challenge": ChallengeFactory.create_batch,
    "wellness.wellnessevent": WellnessEventFactory.create_batch,
    "wellness.eventregistration": EventRegistrationFactory.create_batch,
}

REGISTERED = sorted(model._meta.label_lower for model in admin.site._registry)


@pytest.mark.parametrize("label", REGISTERED)
def test_changelist_renders_50_rows_within_the_query_budget(
    label, django_assert_max_num_queries
):
    assert label in BUILDERS, f"add a builder for {label}'s changelist"
    model = next(m for m in admin.site._registry if m._meta.label_lower == label)
    BUILDERS[label](ROWS)
    assert model._default_manager.count() >= ROWS
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    opts = model._meta
    url = f"/admin/{opts.app_label}/{opts.model_name}/"

    with django_assert_max_num_queries(QUERY_BUDGET):
        response = client.get(url)

    assert response.status_code == 200
    assert response.context["cl"].result_count >= ROWS


@pytest.mark.parametrize("label", REGISTERED)
def test_every_admin_is_purposeful(label, rf):
    model = next(m for m in admin.site._registry if m._meta.label_lower == label)
    model_admin = admin.site._registry[model]
    request = rf.get("/admin/")
    request.user = UserFactory.build(is_staff=True, is_superuser=True)
    obj = model()
    readonly = set(model_admin.get_readonly_fields(request, obj))
    editable = model_admin.has_change_permission(request, obj)
    shown = set(model_admin.get_fields(request, obj))
    names = {f.name for f in model._meta.concrete_fields}

    assert tuple(model_admin.list_display) != ("__str__",)
    assert model_admin.search_fields
    assert {"created_at", "updated_at"} & names <= readonly
    if editable:
        for field in model._meta.concrete_fields:
            if field.is_relation and field.name in shown - readonly:
                assert field.name in (
                    *model_admin.autocomplete_fields,
                    *model_admin.raw_id_fields,
                ), f"{label}.{field.name} would render a <select> of every row"
