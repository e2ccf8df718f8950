"""The staff dashboard on the admin index (kaya.dashboard)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from accounts.tests.factories import UserFactory
from coaching.ai.safety import crisis_referral_record
from coaching.models import AICrisisReferralDay
from community.tests.factories import CommentFactory, PostFactory, ReportFactory
from journal.models import MoodEntry
from journal.tests.factories import MoodEntryFactory
from kaya.dashboard import DAYS, dashboard_build, dashboard_data
from kaya.staff import MODERATORS
from kaya.tests.staff_helpers import staff_member
from wellness.tests.factories import WellnessSessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def _series(data, label):
    return next(s for s in data["series"] if s.label == label).values


def test_dashboard_counts_each_series_per_day():
    today = timezone.now().date()
    yesterday = today - timedelta(days=1)
    both, sessions_only, moods_only = UserFactory(), UserFactory(), UserFactory()
    WellnessSessionFactory(user=both, local_date=today, type="meditation")
    WellnessSessionFactory(user=both, local_date=today, type="breathing")
    WellnessSessionFactory(user=sessions_only, local_date=yesterday, type="yoga")
    MoodEntryFactory(user=both, local_date=today, mood=MoodEntry.Mood.GREAT)
    MoodEntryFactory(user=moods_only, local_date=today, mood=MoodEntry.Mood.LOW)
    ReportFactory(post=PostFactory(crisis_flagged=True))
    CommentFactory(crisis_flagged=True)
    ReportFactory(status="dismissed")

    data = dashboard_build(today=today)

    assert len(data["days"]) == DAYS
    assert data["days"][-1] == today
    assert _series(data, "Daily active members")[-2:] == [1, 2]
    # Every user above signed up today (factories), plus the reporters.
    assert _series(data, "New sign-ups")[-1] == 9
    expected_mood = (MoodEntry.SCORES["great"] + MoodEntry.SCORES["low"]) / 2
    assert _series(data, "Average mood (1-5)")[-2:] == [None, expected_mood]
    assert _series(data, "Reports filed")[-1] == 2
    assert _series(data, "Crisis-flagged posts and comments")[-1] == 2
    assert _series(data, "Crisis referrals (AI companion)")[-1] == 0
    by_type = {s.label: s.values[-2:] for s in data["sessions"]}
    assert by_type["Meditation"] == [0, 1]
    assert by_type["Breathing"] == [0, 1]
    assert by_type["Yoga"] == [1, 0]
    assert data["open_reports"] == 1


def test_dashboard_counts_ai_crisis_referrals_per_day_apart_from_flagged_posts():
    today = timezone.now().date()
    for _ in range(3):
        crisis_referral_record()  # what the AI companion records, today (UTC)
    AICrisisReferralDay.objects.create(date=today - timedelta(days=2), count=4)
    AICrisisReferralDay.objects.create(date=today - timedelta(days=DAYS), count=50)
    PostFactory(crisis_flagged=True)

    data = dashboard_build(today=today)

    referrals = _series(data, "Crisis referrals (AI companion)")
    assert referrals[-3:] == [4, 0, 3]
    assert sum(referrals) == 7
    assert _series(data, "Crisis-flagged posts and comments")[-3:] == [0, 0, 1]


def test_admin_index_shows_the_crisis_referral_total():
    today = timezone.now().date()
    AICrisisReferralDay.objects.create(date=today, count=2)
    AICrisisReferralDay.objects.create(date=today - timedelta(days=10), count=5)
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    page = client.get("/admin/").content.decode()

    row = page.split("Crisis referrals (AI companion)</th>")[1].split("</tr>")[0]
    assert '<td class="figure">2</td>' in row
    assert '<td class="figure">7</td>' in row


def test_dashboard_leaves_out_days_before_the_window():
    today = timezone.now().date()
    WellnessSessionFactory(local_date=today - timedelta(days=DAYS))

    data = dashboard_build(today=today)

    assert sum(_series(data, "Daily active members")) == 0


def test_dashboard_is_aggregated_queries_whatever_the_volume(
    django_assert_num_queries,
):
    today = timezone.now().date()
    for day in range(5):
        WellnessSessionFactory.create_batch(3, local_date=today - timedelta(days=day))
        MoodEntryFactory.create_batch(2, local_date=today - timedelta(days=day))

    with django_assert_num_queries(9):
        dashboard_build(today=today)


def test_dashboard_is_cached_for_a_few_minutes():
    ReportFactory()
    first = dashboard_data()
    ReportFactory()

    cached = dashboard_data()
    cache.clear()
    rebuilt = dashboard_data()

    assert (first["open_reports"], cached["open_reports"]) == (1, 1)
    assert rebuilt["open_reports"] == 2


def test_admin_index_shows_branding_and_the_dashboard_charts():
    WellnessSessionFactory(local_date=timezone.now().date())
    ReportFactory()
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    response = client.get("/admin/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Dashboard | KAYA staff console</title>" in page
    assert "KAYA staff console" in page
    assert 'id="kaya-dashboard"' in page
    assert page.count('<svg class="kaya-chart"') == 6 + 8
    assert '<strong id="kaya-open-reports">1</strong>' in page
    dashboard = page.split('id="kaya-dashboard"')[1].split("</div>")[0]
    # No script or inline style: the admin's Content-Security-Policy holds.
    assert "<script" not in dashboard
    assert "<style" not in dashboard
    assert "kaya/dashboard" in page


def test_dashboard_shows_figures_only_never_names(settings):
    member = UserFactory(display_name="Secret Person", email="secret@example.com")
    WellnessSessionFactory(user=member, local_date=timezone.now().date())
    client = Client()
    client.force_login(staff_member(MODERATORS.name))

    page = client.get("/admin/").content.decode()

    assert 'id="kaya-dashboard"' in page
    assert "Secret Person" not in page
    assert "secret@example.com" not in page
