"""The AI companion's endpoints under /api/v1/ai/: thin, as everywhere.

The processing endpoints (chat, generate, insights) need the user's AI
consent: their services check it first (403 ``ai_consent_required``), before
any quota, write or provider call; the body is parsed and validated before
that, so malformed input is a 400 either way. Reading and deleting one's own
conversations and jobs does not: withdrawing consent must not lock a user out
of their data.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.viewsets import GenericViewSet

from coaching.models import AIConversation, AIGenerationJob
from coaching.selectors import ai as ai_selectors
from coaching.serializers import (
    AIChatInput,
    AIChatOutput,
    AIConversationDetailOutput,
    AIConversationOutput,
    AIJobOutput,
    AIMoodInsightsInput,
    AIMoodInsightsOutput,
    AISessionGenerateInput,
    AISleepStoryGenerateInput,
)
from coaching.services import ai as ai_services
from journal.serializers import CrisisResourceOutput
from kaya.api import validated
from kaya.schema import ErrorSerializer

TAGS = ["ai"]
BAD_INPUT = OpenApiResponse(ErrorSerializer, description="Invalid input.")
NO_CONSENT = OpenApiResponse(
    ErrorSerializer,
    description="No AI-processing consent for the current consent text "
    "(`ai_consent_required`): set `ai_consent` on PATCH /api/v1/users/me.",
)
QUOTA = OpenApiResponse(
    ErrorSerializer,
    description="Today's AI quota is used up (`ai_quota_exceeded`); "
    "`Retry-After` gives the seconds until the user's local midnight.",
)


def _fake(view: Any) -> bool:
    return bool(getattr(view, "swagger_fake_view", False))


def _support(support: dict[str, Any] | None) -> dict[str, Any] | None:
    if support is None:
        return None
    return {
        "message": support["message"],
        "locale": support["locale"],
        "resources": CrisisResourceOutput(support["resources"], many=True).data,
    }


class AIChatView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        summary="Talk with the AI companion",
        description="Sends `message` (a new conversation, or `conversation_id` to "
        "continue one) and returns the stored reply. The companion is an AI for "
        "wellness support, not therapy. A crisis signal in the message or the "
        "answer, or a blocked or empty answer, gives a fixed safe reply "
        "(`replaced`) with crisis lines in `support`. With `stream`, the reply "
        "is also pushed over the websocket as `ai.chat.delta` pieces and "
        "`ai.chat.done`. One chat message off the daily quota.",
        request=AIChatInput,
        responses={
            200: AIChatOutput,
            400: BAD_INPUT,
            403: NO_CONSENT,
            404: OpenApiResponse(
                ErrorSerializer,
                description="`conversation_id` is not one of my conversations.",
            ),
            429: QUOTA,
        },
        examples=[
            OpenApiExample(
                "A new conversation",
                value={"message": "I can't switch off tonight."},
                request_only=True,
            )
        ],
    )
    def post(self, request: Request) -> Response:
        data = validated(AIChatInput, request.data)
        conversation, user_message, reply, support = ai_services.ai_chat_send(
            user=request.user, **data
        )
        output = AIChatOutput(
            {
                "conversation_id": conversation.pk,
                "user_message": user_message,
                "reply": reply,
                "support": _support(support),
            }
        )
        return Response(output.data)


class _GenerateView(APIView):
    permission_classes = [IsAuthenticated]
    input_class: Any = None
    kind = ""

    def post(self, request: Request) -> Response:
        params = validated(self.input_class, request.data)
        job = ai_services.ai_generation_request(
            user=request.user, kind=self.kind, params=params
        )
        return Response(AIJobOutput(job).data, status=status.HTTP_202_ACCEPTED)


GENERATE_DESCRIPTION = (
    "Creates a generation job and returns it (202); the work runs in the "
    "background (`coaching.generate_ai_content`). Follow it at GET "
    "/api/v1/ai/jobs/{id}, or wait for `ai.generation.completed` on the "
    "websocket and a notification. An identical request within the cache "
    "window returns the same job (no new generation, no quota used). The "
    "result is validated before it is stored; start a session from it with "
    "`generated_content_id` = `content_id`. One generation off the daily quota."
)


class AISessionGenerateView(_GenerateView):
    input_class = AISessionGenerateInput
    kind = AIGenerationJob.Kind.SESSION

    @extend_schema(
        tags=TAGS,
        summary="Generate a guided session",
        description=GENERATE_DESCRIPTION,
        request=AISessionGenerateInput,
        responses={202: AIJobOutput, 400: BAD_INPUT, 403: NO_CONSENT, 429: QUOTA},
        examples=[
            OpenApiExample(
                "Ten minutes to unwind",
                value={
                    "goal": "unwind after work",
                    "duration_seconds": 600,
                    "session_type": "meditation",
                    "voice_style": "calm",
                },
                request_only=True,
            )
        ],
    )
    def post(self, request: Request) -> Response:
        return super().post(request)


class AISleepStoryGenerateView(_GenerateView):
    input_class = AISleepStoryGenerateInput
    kind = AIGenerationJob.Kind.SLEEP_STORY

    @extend_schema(
        tags=TAGS,
        summary="Generate a sleep story",
        description=GENERATE_DESCRIPTION,
        request=AISleepStoryGenerateInput,
        responses={202: AIJobOutput, 400: BAD_INPUT, 403: NO_CONSENT, 429: QUOTA},
        examples=[
            OpenApiExample(
                "A quiet harbour",
                value={"theme": "a quiet harbour at dusk", "duration_seconds": 900},
                request_only=True,
            )
        ],
    )
    def post(self, request: Request) -> Response:
        return super().post(request)


class AIMoodInsightsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        summary="Insights over my moods and practice",
        description="Observations over my own moods, completed sessions and "
        "journal days between `date_from` and `date_to` (local dates, both "
        "included), each citing the data points it rests on. Only metadata is "
        "used (dates, scores, durations) unless `include_journal_text`. Never a "
        "diagnosis. One generation off the daily quota.",
        request=AIMoodInsightsInput,
        responses={
            200: AIMoodInsightsOutput,
            400: BAD_INPUT,
            403: NO_CONSENT,
            429: QUOTA,
        },
    )
    def post(self, request: Request) -> Response:
        data = validated(AIMoodInsightsInput, request.data)
        insights = ai_services.ai_mood_insights(user=request.user, **data)
        output = AIMoodInsightsOutput(
            {
                "date_from": data["date_from"],
                "date_to": data["date_to"],
                "insights": insights,
            }
        )
        return Response(output.data)


@extend_schema_view(
    retrieve=extend_schema(
        summary="Get one of my generation jobs", responses={200: AIJobOutput}
    )
)
@extend_schema(tags=TAGS)
class AIJobViewSet(mixins.RetrieveModelMixin, GenericViewSet):
    permission_classes = [IsAuthenticated]
    serializer_class = AIJobOutput
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[AIGenerationJob]:
        if _fake(self):
            return AIGenerationJob.objects.none()
        return ai_selectors.ai_job_list(user=self.request.user)


@extend_schema_view(
    list=extend_schema(
        summary="List my AI conversations",
        description="Most recently active first. Conversations untouched for "
        "`AI_CHAT_RETENTION_DAYS` (default 90) are deleted.",
        responses={200: AIConversationOutput(many=True)},
    ),
    retrieve=extend_schema(
        summary="Get one of my AI conversations, with its messages",
        responses={200: AIConversationDetailOutput},
    ),
    destroy=extend_schema(
        summary="Delete one of my AI conversations", responses={204: None}
    ),
)
@extend_schema(tags=TAGS)
class AIConversationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    GenericViewSet,
):
    permission_classes = [IsAuthenticated]
    filter_backends: list[Any] = []

    def get_serializer_class(self) -> Any:
        if self.action == "list":
            return AIConversationOutput
        return AIConversationDetailOutput

    def get_queryset(self) -> QuerySet[AIConversation]:
        if _fake(self):
            return AIConversation.objects.none()
        if self.action == "retrieve":
            return ai_selectors.ai_conversation_detail_list(user=self.request.user)
        return ai_selectors.ai_conversation_list(user=self.request.user)

    def perform_destroy(self, instance: AIConversation) -> None:
        ai_services.ai_conversation_delete(conversation=instance)
