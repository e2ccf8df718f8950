from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("notifications/", views.NotificationListView.as_view(), name="list"),
    path(
        "notifications/unread-count",
        views.NotificationUnreadCountView.as_view(),
        name="unread-count",
    ),
    path(
        "notifications/read-all",
        views.NotificationReadAllView.as_view(),
        name="read-all",
    ),
    path(
        "notifications/<int:pk>/read",
        views.NotificationReadView.as_view(),
        name="read",
    ),
    path("notifications/test", views.NotificationTestView.as_view(), name="test"),
    path(
        "notifications/email-preferences",
        views.EmailPreferencesView.as_view(),
        name="email-preferences",
    ),
    path(
        "notifications/email-preferences/unsubscribe",
        views.EmailUnsubscribeView.as_view(),
        name="email-unsubscribe",
    ),
    path("realtime/ticket", views.RealtimeTicketView.as_view(), name="realtime-ticket"),
]
