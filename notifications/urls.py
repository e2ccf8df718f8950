from kaya.routing import ApiRouter
from notifications import views

app_name = "notifications"

router = ApiRouter()
# The token-link routes first: they share the ``notifications`` prefix.
router.register(
    "notifications", views.EmailPreferencesViewSet, basename="email-preferences"
)
router.register("notifications", views.NotificationViewSet, basename="notification")
router.register("realtime/ticket", views.RealtimeTicketViewSet, basename="realtime")

urlpatterns = [*router.urls]
