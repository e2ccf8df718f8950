"""/api/v1/journal...: every path answers with and without a trailing slash; the
schema documents the form without one."""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, path

from journal import views

app_name = "journal"


def _route(route: str, view: Any, name: str) -> list[URLPattern]:
    # Both spellings are routed (POST, PATCH and DELETE cannot follow an
    # APPEND_SLASH redirect); the slashed twin is left out of the schema.
    twin = type(view.__name__, (view,), {"schema": None})
    return [
        path(route, view.as_view(), name=name),
        path(f"{route}/", twin.as_view(), name=f"{name}-slash"),
    ]


urlpatterns = [
    *_route("journal", views.JournalEntryListCreateView, "entry-list"),
    *_route("journal/<int:pk>", views.JournalEntryDetailView, "entry-detail"),
    *_route("journal/gratitude", views.GratitudeCreateView, "gratitude-create"),
    *_route("journal/gratitude/list", views.GratitudeListView, "gratitude-list"),
    *_route("journal/mood", views.MoodCreateView, "mood-create"),
    *_route("journal/mood/history", views.MoodHistoryView, "mood-history"),
    *_route("journal/mood/calendar", views.MoodCalendarView, "mood-calendar"),
    *_route("journal/prompts", views.PromptView, "prompts"),
]
