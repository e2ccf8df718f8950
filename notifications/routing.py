from django.urls import path

from notifications.consumers import UserStreamConsumer

websocket_urlpatterns = [
    path("ws/v1/", UserStreamConsumer.as_asgi()),
]
