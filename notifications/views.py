from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet, ViewSet

from kaya.api import validated
from kaya.pagination import NewestFirstCursorPagination
from kaya.schema import ErrorSerializer
from kaya.throttles import NotificationTestThrottle, RealtimeTicketThrottle
from kaya.websocket import TICKET_TTL_SECONDS, ws_ticket_issue
from notifications import realtime
from notifications.models import Notification
from notifications.selectors import notification_list, notification_unread_count
from notifications.serializers import (
    EmailPreferencesOutput,
    EmailPreferencesTokenInput,
    EmailPreferencesUpdateInput,
    NotificationListInput,
    NotificationOutput,
    NotificationReadAllInput,
    NotificationReadAllOutput,
    NotificationUnreadCountOutput,
    RealtimeTicketOutput,
)
from notifications.services import (
    email_preferences_link_user,
    email_preferences_update,
    notification_mark_all_read,
    notification_mark_read,
    notification_test_send,
)

if TYPE_CHECKING:
    from accounts.models import User


def _user(request: Request) -> User:
    # Every route here but the token links requires a logged-in user.
    return cast("User", request.user)


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


# The user's notifications: another user's is simply not found (404). No class
# docstring: drf-spectacular would print it on every operation.
class NotificationViewSet(GenericViewSet):
    permission_classes = [IsAuthenticated]
    serializer_class = NotificationOutput
    pagination_class = NotificationPagination

    def get_queryset(self) -> QuerySet[Notification]:
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        return notification_list(user=_user(self.request))

    @extend_schema(
        operation_id="notifications_list",
        parameters=[
            NotificationListInput,
            OpenApiParameter("cursor", str, description="Pagination cursor."),
            OpenApiParameter("page_size", int, description="At most 100."),
        ],
        responses={
            200: NotificationOutput(many=True),
            400: OpenApiResponse(
                ErrorSerializer, description="Bad `after`, `unread` or `page_size`."
            ),
        },
    )
    def list(self, request: Request) -> Response:
        filters = validated(NotificationListInput, request.query_params)
        user = _user(request)
        page = self.paginate_queryset(notification_list(user=user, **filters))
        paginator: NotificationPagination = self.paginator  # type: ignore[assignment]
        paginator.unread_count = notification_unread_count(user=user)
        return self.get_paginated_response(NotificationOutput(page, many=True).data)

    @extend_schema(
        operation_id="notifications_unread_count",
        responses={200: NotificationUnreadCountOutput},
    )
    @action(detail=False, methods=["get"], url_path="unread-count")
    def unread_count(self, request: Request) -> Response:
        count = notification_unread_count(user=_user(request))
        return Response(NotificationUnreadCountOutput({"unread_count": count}).data)

    @extend_schema(
        operation_id="notifications_read",
        request=None,
        responses={200: NotificationOutput},
        description="Mark one notification read. Idempotent (keeps the first "
        "read time). Another user's notification is 404.",
    )
    @action(detail=True, methods=["patch"])
    def read(self, request: Request, pk: str) -> Response:
        notification = notification_mark_read(notification=self.get_object())
        return Response(NotificationOutput(notification).data)

    @extend_schema(
        operation_id="notifications_read_all",
        request=NotificationReadAllInput,
        responses={200: NotificationReadAllOutput},
        description="Mark all (or, with `up_to`, all up to that cursor) read. "
        "Idempotent.",
    )
    @action(detail=False, methods=["patch"], url_path="read-all")
    def read_all(self, request: Request) -> Response:
        body = validated(NotificationReadAllInput, request.data)
        user = _user(request)
        updated = notification_mark_all_read(user=user, up_to=body.get("up_to"))
        result = {
            "updated_count": updated,
            "unread_count": notification_unread_count(user=user),
        }
        return Response(NotificationReadAllOutput(result).data)

    @extend_schema(
        operation_id="notifications_test",
        request=None,
        responses={201: NotificationOutput},
        description="Send yourself a test notification (in the app and live on "
        "your sockets, never by email) to check delivery.",
    )
    @action(detail=False, methods=["post"], throttle_classes=[NotificationTestThrottle])
    def test(self, request: Request) -> Response:
        notification = notification_test_send(user=_user(request))
        return Response(
            NotificationOutput(notification).data, status=status.HTTP_201_CREATED
        )


class EmailPreferencesViewSet(ViewSet):
    """Reached from the link in notification emails: no login, a signed token."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []

    def _link_user(self, request: Request) -> User:
        query = validated(EmailPreferencesTokenInput, request.query_params)
        return email_preferences_link_user(token=query["token"])

    @extend_schema(
        operation_id="notifications_email_preferences_retrieve",
        parameters=[TOKEN_PARAMETER],
        responses={200: EmailPreferencesOutput, 400: BAD_TOKEN},
    )
    @action(detail=False, methods=["get"], url_path="email-preferences")
    def email_preferences(self, request: Request) -> Response:
        user = self._link_user(request)
        return Response(EmailPreferencesOutput(user).data)

    @extend_schema(
        operation_id="notifications_email_preferences_update",
        parameters=[TOKEN_PARAMETER],
        request=EmailPreferencesUpdateInput,
        responses={200: EmailPreferencesOutput, 400: BAD_TOKEN},
    )
    @email_preferences.mapping.patch
    def email_preferences_update(self, request: Request) -> Response:
        user = self._link_user(request)
        body = validated(EmailPreferencesUpdateInput, request.data)
        user = email_preferences_update(user=user, **body)
        return Response(EmailPreferencesOutput(user).data)

    @extend_schema(
        operation_id="notifications_email_unsubscribe",
        parameters=[TOKEN_PARAMETER],
        request=None,
        responses={200: EmailPreferencesOutput, 400: BAD_TOKEN},
        description="RFC 8058 one-click unsubscribe (the email's "
        "List-Unsubscribe header).",
    )
    @action(detail=False, methods=["post"], url_path="email-preferences/unsubscribe")
    def unsubscribe(self, request: Request) -> Response:
        user = self._link_user(request)
        user = email_preferences_update(user=user, notify_email=False)
        return Response(EmailPreferencesOutput(user).data)


class RealtimeTicketViewSet(ViewSet):
    permission_classes = [IsAuthenticated]
    throttle_classes = [RealtimeTicketThrottle]

    @extend_schema(
        operation_id="realtime_ticket",
        request=None,
        responses={201: RealtimeTicketOutput},
        description="A single-use websocket ticket valid for 30 s: connect to "
        "`ws/v1/?ticket=<ticket>`.\n\n" + realtime.CLOSE_CODES_MARKDOWN,
    )
    def create(self, request: Request) -> Response:
        ticket = ws_ticket_issue(user=request.user)
        data = {"ticket": ticket, "expires_in_seconds": TICKET_TTL_SECONDS}
        return Response(RealtimeTicketOutput(data).data, status=status.HTTP_201_CREATED)
