from kaya.routing import api_path
from notifications import views

app_name = "notifications"

urlpatterns = [
    api_path("notifications", views.NotificationListView, "list"),
    api_path(
        "notifications/unread-count", views.NotificationUnreadCountView, "unread-count"
    ),
    api_path("notifications/read-all", views.NotificationReadAllView, "read-all"),
    api_path("notifications/<int:pk>/read", views.NotificationReadView, "read"),
    api_path("notifications/test", views.NotificationTestView, "test"),
    api_path(
        "notifications/email-preferences",
        views.EmailPreferencesView,
        "email-preferences",
    ),
    api_path(
        "notifications/email-preferences/unsubscribe",
        views.EmailUnsubscribeView,
        "email-unsubscribe",
    ),
    api_path("realtime/ticket", views.RealtimeTicketView, "realtime-ticket"),
]
