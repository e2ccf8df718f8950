from django.urls import path

from wellness import analytics_views, views

app_name = "wellness"

urlpatterns = [
    path("sessions", views.SessionListCreateView.as_view(), name="session-list"),
    path("sessions/stats", views.SessionStatsView.as_view(), name="session-stats"),
    path("sessions/<int:pk>", views.SessionDetailView.as_view(), name="session-detail"),
    path(
        "sessions/<int:pk>/complete",
        views.SessionCompleteView.as_view(),
        name="session-complete",
    ),
    path(
        "sessions/<int:pk>/progress",
        views.SessionProgressView.as_view(),
        name="session-progress",
    ),
    path(
        "sessions/<int:pk>/abandon",
        views.SessionAbandonView.as_view(),
        name="session-abandon",
    ),
    path("programs", views.ProgramListView.as_view(), name="program-list"),
    # int converters, so "enrollments" is never taken for a program id.
    path(
        "programs/enrollments/my",
        views.EnrollmentListView.as_view(),
        name="enrollment-list",
    ),
    path(
        "programs/enrollments/<int:pk>/progress",
        views.EnrollmentProgressView.as_view(),
        name="enrollment-progress",
    ),
    path("programs/<int:pk>", views.ProgramDetailView.as_view(), name="program-detail"),
    path(
        "programs/<int:pk>/enroll",
        views.ProgramEnrollView.as_view(),
        name="program-enroll",
    ),
    path(
        "analytics/dashboard",
        analytics_views.DashboardView.as_view(),
        name="analytics-dashboard",
    ),
    path(
        "analytics/mood-trends",
        analytics_views.MoodTrendsView.as_view(),
        name="analytics-mood-trends",
    ),
    path(
        "analytics/activity-breakdown",
        analytics_views.ActivityBreakdownView.as_view(),
        name="analytics-activity-breakdown",
    ),
    path(
        "analytics/correlations",
        analytics_views.CorrelationsView.as_view(),
        name="analytics-correlations",
    ),
]
