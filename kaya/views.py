"""Where to go: the API index (``GET /api/v1/``) and, in development, ``GET /``."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, JsonResponse
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from wellness.management.commands.seed_demo import DEMO_PASSWORD


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


DEMO_LOGINS = [
    {"email": "demo@kaya.local", "password": DEMO_PASSWORD, "use": "API"},
    {"email": "admin@kaya.local", "password": DEMO_PASSWORD, "use": "admin"},
]


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
