"""Test-only URLs: the real project URLs plus views that exercise the error paths."""

from django.db import InterfaceError, OperationalError, connection, transaction
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from kaya.exceptions import ConflictError
from kaya.urls import handler400, handler403, handler404, handler500  # noqa: F401
from kaya.urls import urlpatterns as project_urlpatterns


class EchoInput(serializers.Serializer):
    name = serializers.CharField(max_length=10)
    count = serializers.IntegerField(min_value=1)


class EchoView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(request=EchoInput, responses=EchoInput)
    def post(self, request):
        data = EchoInput(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(data.validated_data)


class PrivateView(APIView):
    def get(self, request):
        return Response({"email": request.user.email})


class BoomView(APIView):
    permission_classes = [AllowAny]

    def get(self, request):
        raise RuntimeError("secret internals: password=hunter2")


class ConflictView(APIView):
    permission_classes = [AllowAny]

    def post(self, request):
        raise ConflictError("Already done.", code="already_done")


class DatabaseDownView(APIView):
    permission_classes = [AllowAny]

    def get(self, request):
        if request.query_params.get("error") == "interface":
            raise InterfaceError("connection already closed")
        raise OperationalError(
            'connection to server at "db.internal" (10.0.0.5), port 5432 failed: '
            "timeout expired"
        )


class SlowQueryView(APIView):
    """A statement PostgreSQL cancels: its timeout is lowered for this one
    transaction so the test need not wait out the configured one."""

    permission_classes = [AllowAny]

    def get(self, request):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL statement_timeout = 50")
            cursor.execute("SELECT pg_sleep(5)")
        return Response({"ok": True})


class OncePerMinute(AnonRateThrottle):
    scope = "test_once"
    rate = "1/m"


class ThrottledView(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [OncePerMinute]

    def get(self, request):
        return Response({"ok": True})


class NumbersView(GenericAPIView):
    permission_classes = [AllowAny]

    def get(self, request):
        page = self.paginate_queryset(list(range(250)))
        return self.get_paginated_response(page)


urlpatterns = [
    path("api/v1/test/echo", EchoView.as_view()),
    path("api/v1/test/private", PrivateView.as_view()),
    path("api/v1/test/boom", BoomView.as_view()),
    path("api/v1/test/conflict", ConflictView.as_view()),
    path("api/v1/test/throttled", ThrottledView.as_view()),
    path("api/v1/test/database-down", DatabaseDownView.as_view()),
    path("api/v1/test/slow-query", SlowQueryView.as_view()),
    path("api/v1/test/numbers", NumbersView.as_view()),
    *project_urlpatterns,
]
