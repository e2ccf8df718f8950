"""/api/v1/journal...: every path answers with and without a trailing slash; the
schema documents the form without one."""

from __future__ import annotations

from journal import views
from kaya.routing import ApiRouter

app_name = "journal"

router = ApiRouter()
# Registered before "journal": its detail route (journal/<pk>) would otherwise
# capture journal/gratitude, journal/mood and journal/prompts.
router.register("journal/gratitude", views.GratitudeEntryViewSet, basename="gratitude")
router.register("journal/mood", views.MoodEntryViewSet, basename="mood")
router.register("journal/prompts", views.PromptViewSet, basename="prompts")
router.register("journal", views.JournalEntryViewSet, basename="entry")

urlpatterns = [*router.urls]
