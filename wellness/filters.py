"""Query-string filters for the list endpoints (invalid values give 400)."""

from __future__ import annotations

import django_filters

from wellness.models import SessionType, WellnessProgram, WellnessSession


class SessionFilter(django_filters.FilterSet):
    type = django_filters.ChoiceFilter(choices=SessionType.choices)
    status = django_filters.ChoiceFilter(choices=WellnessSession.Status.choices)
    date_from = django_filters.DateFilter(
        field_name="local_date",
        lookup_expr="gte",
        label="Sessions on or after this local date (YYYY-MM-DD).",
    )
    date_to = django_filters.DateFilter(
        field_name="local_date",
        lookup_expr="lte",
        label="Sessions on or before this local date (YYYY-MM-DD).",
    )

    class Meta:
        model = WellnessSession
        fields = ("type", "status", "date_from", "date_to")


class ProgramFilter(django_filters.FilterSet):
    category = django_filters.ChoiceFilter(choices=WellnessProgram.Category.choices)
    difficulty = django_filters.ChoiceFilter(choices=WellnessProgram.Difficulty.choices)
    premium = django_filters.BooleanFilter(field_name="is_premium")
    search = django_filters.CharFilter(
        field_name="title", lookup_expr="icontains", label="Search in the title."
    )

    class Meta:
        model = WellnessProgram
        fields = ("category", "difficulty", "premium", "search")
