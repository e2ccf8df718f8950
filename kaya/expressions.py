"""Query expressions shared by the selectors.

``RowCount``: how many rows a queryset has, as a scalar subquery of another
statement (a page's rows and its total in one query).

``StringList``: the values of a one-column subquery (tags of a row, say), as a
Python list in the subquery's order, computed in the same query as the rows
themselves. A ``prefetch_related`` costs a second query per page and, worse on
the hot lists, builds a related manager, a queryset and a model instance per tag
for every row (22-30% of a journal or mood history page under load). PostgreSQL
runs ``ARRAY(subquery)`` (what ``ArraySubquery`` writes); SQLite, used by the
embedded tests, aggregates the same subquery with ``json_group_array``. Both
answer ``[]`` for a row without values, so the JSON and the query count are the
same on both backends.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import models
from django.db.models import IntegerField, QuerySet, Subquery
from django.db.models.query import ModelIterable


class RowCount(Subquery):
    """How many rows a queryset has, as a scalar subquery of another statement:
    ``rows.annotate(total=RowCount.of(rows))``."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) AS counted_rows)"
    output_field = IntegerField()

    @classmethod
    def of(cls, rows: QuerySet[Any]) -> RowCount:
        return cls(rows.order_by().values("pk"))

    @staticmethod
    def counts(rows: QuerySet[Any]) -> bool:
        """Whether ``of`` counts ``rows`` as they are: a queryset of model
        instances, not sliced, combined, grouped or distinct."""
        if rows._iterable_class is not ModelIterable:
            return False
        query = rows.query
        return not (
            query.is_sliced
            or query.combinator
            or query.distinct
            or query.group_by is not None
        )


class _StringListField(models.Field):  # type: ignore[type-arg]
    """Read-only output field: a list of strings from either backend."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None:
            return []
        if isinstance(value, str):
            return json.loads(value)
        return list(value)


class StringList(Subquery):
    """E.g. ``StringList(Tag.objects.filter(entry=OuterRef("pk")), "name")``;
    order the queryset to fix the list's order."""

    def __init__(self, queryset: QuerySet[Any], column: str) -> None:
        self.column = column
        super().__init__(queryset.values(column), output_field=_StringListField())

    def as_postgresql(
        self, compiler: Any, connection: Any, **extra_context: Any
    ) -> Any:
        return super().as_sql(
            compiler, connection, template="ARRAY(%(subquery)s)", **extra_context
        )

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        # The derived table keeps the subquery's ORDER BY; json_group_array reads
        # its rows in that order. The column is named after the model field.
        return super().as_sql(
            compiler,
            connection,
            template="(SELECT json_group_array(%(column)s) FROM (%(subquery)s))",
            column=connection.ops.quote_name(self.column),
            **extra_context,
        )
