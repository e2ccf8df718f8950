"""Analytics endpoints, list-level actions of one viewset: each validates its
range and calls one selector."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import ViewSet

from kaya.api import validated
from kaya.renderers import RenderedJSON, render_json
from kaya.rollups import USER_READS
from kaya.timeutils import local_today
from wellness.analytics_serializers import (
    ActivityBreakdownInput,
    ActivityBreakdownOutput,
    CorrelationsInput,
    CorrelationsOutput,
    DashboardOutput,
    MoodTrendsInput,
    MoodTrendsOutput,
)
from wellness.selectors import analytics as selectors
from wellness.selectors import content_languages
from wellness.views import BAD_QUERY_400


def _range_params(default_days: int) -> list[OpenApiParameter]:
    return [
        OpenApiParameter(
            "date_from",
            type=OpenApiTypes.DATE,
            description=f"First local date, YYYY-MM-DD (default: {default_days} "
            "days before `date_to`).",
        ),
        OpenApiParameter(
            "date_to",
            type=OpenApiTypes.DATE,
            description="Last local date, YYYY-MM-DD (default: today).",
        ),
    ]


@extend_schema(tags=["analytics"])
class AnalyticsViewSet(ViewSet):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="My dashboard",
        description="Today's and this week's sessions and practice seconds "
        "(local dates), streak (omitted in gentle mode), latest moods, active "
        "enrollments, unlocked achievements and my next event (or null).",
        responses={200: DashboardOutput},
    )
    @action(detail=False, methods=["get"])
    def dashboard(self, request: Request) -> Response:
        data = selectors.analytics_dashboard(user=request.user)
        context = {
            "today": local_today(request.user.timezone),
            # The enrollments' programs in the user's language, as the
            # catalogue and the enrollment pages show them.
            "languages": content_languages(user=request.user),
        }
        return Response(DashboardOutput(data, context=context).data)

    @extend_schema(
        summary="Mood trends",
        description="Average mood (1-5) and intensity (1-10) per bucket of the "
        "user's local dates, entry counts, the top 3 emotions and factors per "
        "bucket, and mood before vs after sessions by session type. Weeks start "
        "on Monday; a bucket is labelled by its first date.",
        parameters=[
            *_range_params(MoodTrendsInput.default_days),
            OpenApiParameter("granularity", type=str, enum=["day", "week", "month"]),
        ],
        responses={200: MoodTrendsOutput, 400: BAD_QUERY_400},
    )
    @action(detail=False, methods=["get"], url_path="mood-trends")
    def mood_trends(self, request: Request) -> Response:
        params = validated(MoodTrendsInput, request.query_params, user=request.user)
        # Read from the user's rollups only: cached, rendered, until they change.
        part = "mood-trends?" + "&".join(f"{k}={v}" for k, v in sorted(params.items()))
        content = USER_READS.get_or_build(
            part,
            lambda: render_json(
                MoodTrendsOutput(
                    selectors.analytics_mood_trends(user=request.user, **params)
                ).data
            ),
            scope=request.user.pk,
        )
        return Response(RenderedJSON(content))

    @extend_schema(
        summary="Activity breakdown",
        description="Completed seconds and counts by session type, by ISO "
        "weekday (1 = Monday) and by hour of the user's local day.",
        parameters=_range_params(ActivityBreakdownInput.default_days),
        responses={200: ActivityBreakdownOutput, 400: BAD_QUERY_400},
    )
    @action(detail=False, methods=["get"], url_path="activity-breakdown")
    def activity_breakdown(self, request: Request) -> Response:
        params = validated(
            ActivityBreakdownInput, request.query_params, user=request.user
        )
        data = selectors.analytics_activity_breakdown(user=request.user, **params)
        return Response(ActivityBreakdownOutput(data).data)

    @extend_schema(
        summary="Mood on days with vs without a factor or session type",
        description="Only local dates with at least one mood entry count; a day's "
        "mood is the mean score of its entries. For each mood factor and each "
        "session type, the days *with* it are the mood days on which a mood entry "
        "was tagged with the factor (or a session of the type was completed); the "
        "days *without* it are the other mood days of the range. A factor or "
        "type is reported only when it has at least 3 days with and 3 days "
        "without it. `difference` = with - without. Default range: 90 days.",
        parameters=_range_params(CorrelationsInput.default_days),
        responses={200: CorrelationsOutput, 400: BAD_QUERY_400},
    )
    @action(detail=False, methods=["get"])
    def correlations(self, request: Request) -> Response:
        params = validated(CorrelationsInput, request.query_params, user=request.user)
        data = selectors.analytics_correlations(user=request.user, **params)
        return Response(CorrelationsOutput(data).data)
