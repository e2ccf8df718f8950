"""ASGI entry point: websockets in production (daphne); HTTP too in development."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kaya.settings")
# Under ASGI, PostgreSQL connections come from a pool with CONN_MAX_AGE=0.
os.environ.setdefault("KAYA_SERVER", "asgi")

from django.core.asgi import get_asgi_application

django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from kaya.charset import charset_guard_asgi  # noqa: E402
from kaya.websocket import websocket_stack  # noqa: E402
from notifications.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        # In front of Django: a hostile charset breaks Django before its
        # middleware runs.
        "http": charset_guard_asgi(django_asgi_app),
        "websocket": websocket_stack(URLRouter(websocket_urlpatterns)),
    }
)
