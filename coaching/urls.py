"""/api/v1/therapists, /api/v1/bookings, /api/v1/therapist/bookings and the AI
companion under /api/v1/ai/: every path answers with and without a trailing
slash; the schema documents it without."""

from __future__ import annotations

from coaching import ai_views, views
from kaya.routing import ApiRouter, api_path

app_name = "coaching"

router = ApiRouter()
router.register("therapists", views.TherapistViewSet, basename="therapist")
router.register("bookings", views.BookingViewSet, basename="booking")
router.register(
    "therapist/bookings", views.TherapistBookingViewSet, basename="therapist-booking"
)

router.register("ai/jobs", ai_views.AIJobViewSet, basename="ai-job")
router.register(
    "ai/conversations", ai_views.AIConversationViewSet, basename="ai-conversation"
)

urlpatterns = [
    *router.urls,
    api_path("ai/chat", ai_views.AIChatView, "ai-chat"),
    api_path(
        "ai/session/generate", ai_views.AISessionGenerateView, "ai-session-generate"
    ),
    api_path(
        "ai/sleep-story/generate",
        ai_views.AISleepStoryGenerateView,
        "ai-sleep-story-generate",
    ),
    api_path("ai/mood/insights", ai_views.AIMoodInsightsView, "ai-mood-insights"),
]
