"""WSGI entry point: REST API and admin in production (gunicorn)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kaya.settings")
os.environ.setdefault("KAYA_SERVER", "wsgi")

application = get_wsgi_application()
