"""/api/v1/sessions, /programs, /analytics: every path answers with and without
a trailing slash; the schema documents the form without one."""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, path

from wellness import analytics_views, views

app_name = "wellness"


def _route(route: str, view: Any, name: str) -> list[URLPattern]:
    # Both spellings are routed (POST and PATCH cannot follow an APPEND_SLASH
    # redirect); the slashed twin is left out of the schema.
    twin = type(view.__name__, (view,), {"schema": None})
    return [
        path(route, view.as_view(), name=name),
        path(f"{route}/", twin.as_view(), name=f"{name}-slash"),
    ]


urlpatterns = [
    *_route("sessions", views.SessionListCreateView, "session-list"),
    *_route("sessions/stats", views.SessionStatsView, "session-stats"),
    *_route("sessions/<int:pk>", views.SessionDetailView, "session-detail"),
    *_route(
        "sessions/<int:pk>/complete", views.SessionCompleteView, "session-complete"
    ),
    *_route(
        "sessions/<int:pk>/progress", views.SessionProgressView, "session-progress"
    ),
    *_route("sessions/<int:pk>/abandon", views.SessionAbandonView, "session-abandon"),
    *_route("programs", views.ProgramListView, "program-list"),
    # int converters, so "enrollments" is never taken for a program id.
    *_route("programs/enrollments/my", views.EnrollmentListView, "enrollment-list"),
    *_route(
        "programs/enrollments/<int:pk>/progress",
        views.EnrollmentProgressView,
        "enrollment-progress",
    ),
    *_route("programs/<int:pk>", views.ProgramDetailView, "program-detail"),
    *_route("programs/<int:pk>/enroll", views.ProgramEnrollView, "program-enroll"),
    *_route(
        "analytics/dashboard", analytics_views.DashboardView, "analytics-dashboard"
    ),
    *_route(
        "analytics/mood-trends", analytics_views.MoodTrendsView, "analytics-mood-trends"
    ),
    *_route(
        "analytics/activity-breakdown",
        analytics_views.ActivityBreakdownView,
        "analytics-activity-breakdown",
    ),
    *_route(
        "analytics/correlations",
        analytics_views.CorrelationsView,
        "analytics-correlations",
    ),
]
