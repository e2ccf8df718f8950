"""/api/v1/sessions, /programs, /analytics: every path answers with and without
a trailing slash; the schema documents the form without one."""

from __future__ import annotations

from kaya.routing import api_path
from wellness import analytics_views, views

app_name = "wellness"


urlpatterns = [
    api_path("sessions", views.SessionListCreateView, "session-list"),
    api_path("sessions/stats", views.SessionStatsView, "session-stats"),
    api_path("sessions/<int:pk>", views.SessionDetailView, "session-detail"),
    api_path(
        "sessions/<int:pk>/complete", views.SessionCompleteView, "session-complete"
    ),
    api_path(
        "sessions/<int:pk>/progress", views.SessionProgressView, "session-progress"
    ),
    api_path("sessions/<int:pk>/abandon", views.SessionAbandonView, "session-abandon"),
    api_path("programs", views.ProgramListView, "program-list"),
    # int converters, so "enrollments" is never taken for a program id.
    api_path("programs/enrollments/my", views.EnrollmentListView, "enrollment-list"),
    api_path(
        "programs/enrollments/<int:pk>/progress",
        views.EnrollmentProgressView,
        "enrollment-progress",
    ),
    api_path("programs/<int:pk>", views.ProgramDetailView, "program-detail"),
    api_path("programs/<int:pk>/enroll", views.ProgramEnrollView, "program-enroll"),
    api_path(
        "analytics/dashboard", analytics_views.DashboardView, "analytics-dashboard"
    ),
    api_path(
        "analytics/mood-trends", analytics_views.MoodTrendsView, "analytics-mood-trends"
    ),
    api_path(
        "analytics/activity-breakdown",
        analytics_views.ActivityBreakdownView,
        "analytics-activity-breakdown",
    ),
    api_path(
        "analytics/correlations",
        analytics_views.CorrelationsView,
        "analytics-correlations",
    ),
]
