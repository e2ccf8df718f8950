"""/api/v1/therapists, /api/v1/bookings and /api/v1/therapist/bookings: every path
answers with and without a trailing slash; the schema documents it without."""

from __future__ import annotations

from coaching import views
from kaya.routing import ApiRouter

app_name = "coaching"

router = ApiRouter()
router.register("therapists", views.TherapistViewSet, basename="therapist")
router.register("bookings", views.BookingViewSet, basename="booking")
router.register(
    "therapist/bookings", views.TherapistBookingViewSet, basename="therapist-booking"
)

urlpatterns = [*router.urls]
