"""/api/v1/journal...: every path answers with and without a trailing slash; the
schema documents the form without one."""

from __future__ import annotations

from journal import views
from kaya.routing import api_path

app_name = "journal"


urlpatterns = [
    api_path("journal", views.JournalEntryListCreateView, "entry-list"),
    api_path("journal/<int:pk>", views.JournalEntryDetailView, "entry-detail"),
    api_path("journal/gratitude", views.GratitudeListCreateView, "gratitude"),
    api_path("journal/gratitude/list", views.GratitudeListView, "gratitude-list"),
    api_path("journal/mood", views.MoodListCreateView, "mood"),
    api_path("journal/mood/history", views.MoodHistoryView, "mood-history"),
    api_path("journal/mood/calendar", views.MoodCalendarView, "mood-calendar"),
    api_path("journal/prompts", views.PromptView, "prompts"),
]
