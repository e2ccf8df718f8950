"""/api/v1/sessions, /programs, /analytics, /achievements, /challenges, /events:
every path answers with and without a trailing slash; the schema documents the
form without one."""

from __future__ import annotations

from kaya.routing import ApiRouter
from wellness.achievement_views import AchievementViewSet
from wellness.analytics_views import AnalyticsViewSet
from wellness.challenge_views import ChallengeViewSet
from wellness.event_views import EventViewSet
from wellness.views import EnrollmentViewSet, ProgramViewSet, SessionViewSet

app_name = "wellness"

router = ApiRouter()
router.register("sessions", SessionViewSet, basename="session")
# programs/enrollments/my and programs/enrollments/<id>/progress.
router.register("programs/enrollments", EnrollmentViewSet, basename="enrollment")
router.register("programs", ProgramViewSet, basename="program")
router.register("analytics", AnalyticsViewSet, basename="analytics")
router.register("achievements", AchievementViewSet, basename="achievement")
router.register("challenges", ChallengeViewSet, basename="challenge")
router.register("events", EventViewSet, basename="event")

urlpatterns = [*router.urls]
