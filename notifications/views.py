from __future__ import annotations

from typing import Any

from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle
from rest_framework.views import APIView

from kaya.pagination import NewestFirstCursorPagination
from kaya.schema import ErrorSerializer
from kaya.throttles import AtomicRateThrottle, MultiUnitRateMixin
from kaya.websocket import TICKET_TTL_SECONDS, ws_ticket_issue
from notifications import realtime
from notifications.selectors import (
    email_preferences_user,
    notification_get,
    notification_list,
    notification_unread_count,
)
from notifications.serializers import (
    EmailPreferencesSerializer,
    EmailPreferencesTokenSerializer,
    NotificationListQuerySerializer,
    NotificationReadAllInputSerializer,
    NotificationReadAllOutputSerializer,
    NotificationSerializer,
    RealtimeTicketSerializer,
    UnreadCountSerializer,
)
from notifications.services import (
    email_preferences_update,
    notification_mark_all_read,
    notification_mark_read,
    notification_test_send,
)


class SettingsRateThrottle(MultiUnitRateMixin, UserRateThrottle):
    """A per-user throttle whose rate is a Django setting (read per request)."""

    setting_name = ""

    def get_rate(self) -> str | None:
        return str(getattr(settings, self.setting_name))


class RealtimeTicketThrottle(AtomicRateThrottle):
    """Per user and exact: parallel requests cannot get more tickets than the rate."""

    scope = "realtime_ticket"

    def get_rate(self) -> str | None:
        return str(settings.THROTTLE_REALTIME_TICKET)

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        if not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class NotificationTestThrottle(SettingsRateThrottle):
    scope = "notification_test"
    setting_name = "THROTTLE_NOTIFICATION_TEST"


class NotificationPagination(NewestFirstCursorPagination):
    """Newest first, with the user's unread count in the envelope."""

    unread_count = 0

    def get_paginated_response(self, data: Any) -> Response:
        response = super().get_paginated_response(data)
        response.data["unread_count"] = self.unread_count
        return response

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        envelope = super().get_paginated_response_schema(schema)
        envelope["properties"]["unread_count"] = {"type": "integer", "example": 3}
        envelope["required"] = [*envelope.get("required", []), "unread_count"]
        return envelope


TOKEN_PARAMETER = OpenApiParameter(
    "token",
    str,
    OpenApiParameter.QUERY,
    required=True,
    description="The signed token from the link in a notification email.",
)
BAD_TOKEN = OpenApiResponse(
    ErrorSerializer, description="Missing, invalid or expired token."
)


class NotificationListView(APIView):
    pagination_class = NotificationPagination

    @extend_schema(
        operation_id="notifications_list",
        parameters=[
            NotificationListQuerySerializer,
            OpenApiParameter("cursor", str, description="Pagination cursor."),
            OpenApiParameter("page_size", int, description="At most 100."),
        ],
        responses={
            200: NotificationSerializer(many=True),
            400: OpenApiResponse(
                ErrorSerializer, description="Bad `after`, `unread` or `page_size`."
            ),
        },
    )
    def get(self, request: Request) -> Response:
        query = NotificationListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        notifications = notification_list(user=request.user, **query.validated_data)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(notifications, request, view=self)
        paginator.unread_count = notification_unread_count(user=request.user)
        return paginator.get_paginated_response(
            NotificationSerializer(page, many=True).data
        )


class NotificationUnreadCountView(APIView):
    @extend_schema(
        operation_id="notifications_unread_count",
        responses={200: UnreadCountSerializer},
    )
    def get(self, request: Request) -> Response:
        count = notification_unread_count(user=request.user)
        return Response(UnreadCountSerializer({"unread_count": count}).data)


class NotificationReadView(APIView):
    @extend_schema(
        operation_id="notifications_read",
        request=None,
        responses={200: NotificationSerializer},
        description="Mark one notification read. Idempotent (keeps the first "
        "read time). Another user's notification is 404.",
    )
    def patch(self, request: Request, pk: int) -> Response:
        notification = notification_get(user=request.user, notification_id=pk)
        notification = notification_mark_read(notification=notification)
        return Response(NotificationSerializer(notification).data)


class NotificationReadAllView(APIView):
    @extend_schema(
        operation_id="notifications_read_all",
        request=NotificationReadAllInputSerializer,
        responses={200: NotificationReadAllOutputSerializer},
        description="Mark all (or, with `up_to`, all up to that cursor) read. "
        "Idempotent.",
    )
    def patch(self, request: Request) -> Response:
        body = NotificationReadAllInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        updated = notification_mark_all_read(
            user=request.user, up_to=body.validated_data.get("up_to")
        )
        result = {
            "updated_count": updated,
            "unread_count": notification_unread_count(user=request.user),
        }
        return Response(NotificationReadAllOutputSerializer(result).data)


class NotificationTestView(APIView):
    throttle_classes = [NotificationTestThrottle]

    @extend_schema(
        operation_id="notifications_test",
        request=None,
        responses={201: NotificationSerializer},
        description="Send yourself a test notification (in the app and live on "
        "your sockets, never by email) to check delivery.",
    )
    def post(self, request: Request) -> Response:
        notification = notification_test_send(user=request.user)
        return Response(
            NotificationSerializer(notification).data, status=status.HTTP_201_CREATED
        )


class RealtimeTicketView(APIView):
    throttle_classes = [RealtimeTicketThrottle]

    @extend_schema(
        operation_id="realtime_ticket",
        request=None,
        responses={201: RealtimeTicketSerializer},
        description="A single-use websocket ticket valid for 30 s: connect to "
        "`ws/v1/?ticket=<ticket>`.\n\n" + realtime.CLOSE_CODES_MARKDOWN,
    )
    def post(self, request: Request) -> Response:
        ticket = ws_ticket_issue(user=request.user)
        data = {"ticket": ticket, "expires_in_seconds": TICKET_TTL_SECONDS}
        return Response(
            RealtimeTicketSerializer(data).data, status=status.HTTP_201_CREATED
        )


def _user_from_token(request: Request) -> Any:
    query = EmailPreferencesTokenSerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    return email_preferences_user(token=query.validated_data["token"])


class EmailPreferencesView(APIView):
    """Reached from the link in notification emails: no login, a signed token."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []

    @extend_schema(
        operation_id="notifications_email_preferences_retrieve",
        parameters=[TOKEN_PARAMETER],
        responses={200: EmailPreferencesSerializer, 400: BAD_TOKEN},
    )
    def get(self, request: Request) -> Response:
        user = _user_from_token(request)
        return Response(EmailPreferencesSerializer(user).data)

    @extend_schema(
        operation_id="notifications_email_preferences_update",
        parameters=[TOKEN_PARAMETER],
        request=EmailPreferencesSerializer,
        responses={200: EmailPreferencesSerializer, 400: BAD_TOKEN},
    )
    def patch(self, request: Request) -> Response:
        user = _user_from_token(request)
        # A PATCH: a preference left out is left unchanged (as documented).
        body = EmailPreferencesSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        user = email_preferences_update(user=user, **body.validated_data)
        return Response(EmailPreferencesSerializer(user).data)


class EmailUnsubscribeView(APIView):
    """RFC 8058 one-click unsubscribe (the email's List-Unsubscribe header)."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []

    @extend_schema(
        operation_id="notifications_email_unsubscribe",
        parameters=[TOKEN_PARAMETER],
        request=None,
        responses={200: EmailPreferencesSerializer, 400: BAD_TOKEN},
    )
    def post(self, request: Request) -> Response:
        user = _user_from_token(request)
        user = email_preferences_update(user=user, notify_email=False)
        return Response(EmailPreferencesSerializer(user).data)
