"""Where to go: the API index (``GET /api/v1/``), ``GET /`` in development, and
Redoc served with no request to another host."""

from __future__ import annotations

import json
from functools import cache

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularRedocView
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kaya.demo.users import DEMO_LOGINS


class ApiIndexOutput(serializers.Serializer):
    name = serializers.CharField()
    version = serializers.CharField()
    schema_url = serializers.CharField(
        help_text="OpenAPI 3 schema (YAML; ?format=json)."
    )
    docs_url = serializers.CharField(help_text="Swagger UI.")
    redoc_url = serializers.CharField(help_text="Redoc.")


def _links(request: HttpRequest) -> dict[str, str]:
    return {
        "name": str(settings.SPECTACULAR_SETTINGS["TITLE"]),
        "version": str(settings.SPECTACULAR_SETTINGS["VERSION"]),
        "schema_url": request.build_absolute_uri(reverse("schema")),
        "docs_url": request.build_absolute_uri(reverse("docs")),
        "redoc_url": request.build_absolute_uri(reverse("redoc")),
    }


class ApiIndexView(APIView):
    # Public: it only says where the documentation is.
    permission_classes = [AllowAny]
    authentication_classes: list[type] = []

    @extend_schema(
        tags=["meta"],
        summary="API index",
        description="Links to the OpenAPI schema and the documentation.",
        responses={200: ApiIndexOutput},
    )
    def get(self, request: Request) -> Response:
        return Response(ApiIndexOutput(_links(request)).data)


def dev_home(request: HttpRequest) -> JsonResponse:
    """``GET /`` in development: where to go. In production / stays a 404."""
    if not settings.DEBUG:
        raise Http404
    return JsonResponse(
        {
            **_links(request),
            "admin_url": request.build_absolute_uri(reverse("admin:index")),
            "health_url": request.build_absolute_uri(reverse("health")),
            # seed_demo's accounts; it refuses to run with DEBUG off.
            "demo_logins": DEMO_LOGINS,
        }
    )


# Redoc's bundle shows Redocly's logo from their CDN in the sidebar footer, with no
# option to turn it off: serve a copy whose logo is an empty inline image.
_REDOC_BUNDLE = "drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js"
_REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"
_EMPTY_SVG = "data:image/svg+xml,%3Csvg xmlns=%27http://www.w3.org/2000/svg%27/%3E"


@cache
def _redoc_bundle() -> bytes:
    path = finders.find(_REDOC_BUNDLE)
    if not path:
        raise Http404
    with open(str(path), "rb") as bundle:
        return bundle.read().replace(_REDOC_LOGO.encode(), _EMPTY_SVG.encode())


def redoc_bundle(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(_redoc_bundle(), content_type="text/javascript")
    response["Cache-Control"] = "public, max-age=86400"
    return response


class OfflineRedocView(SpectacularRedocView):
    """Redoc with no Google Fonts and no CDN logo: it works offline. Its start-up
    script is served from ``?script`` rather than inline, so the page runs under
    a Content-Security-Policy that allows no inline script (as drf-spectacular's
    ``SpectacularSwaggerSplitView`` does for Swagger UI)."""

    template_name = "kaya/redoc.html"

    @staticmethod
    def _redoc_standalone() -> str:
        return reverse("redoc-bundle")

    @extend_schema(exclude=True)
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        if request.GET.get("script") is None:
            response = super().get(request, *args, **kwargs)
            response.data["script_url"] = f"{request.path}?script"
            return response
        return Response(
            data={
                "schema_url_json": json.dumps(self._get_schema_url(request)),
                "settings": self._dump(
                    settings.SPECTACULAR_SETTINGS["REDOC_UI_SETTINGS"]
                )
                or "{}",
            },
            template_name="kaya/redoc_init.js",
            content_type="application/javascript",
        )
