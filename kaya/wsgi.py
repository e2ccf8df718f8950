"""WSGI entry point: REST API and admin in production (gunicorn)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kaya.settings")
os.environ.setdefault("KAYA_SERVER", "wsgi")

django_wsgi_app = get_wsgi_application()

from kaya.charset import charset_guard_wsgi  # noqa: E402

# In front of Django: a hostile charset breaks Django before its middleware runs.
application = charset_guard_wsgi(django_wsgi_app)
