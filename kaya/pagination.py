"""Default pagination: page numbers, a page size the client may lower or raise up
to a hard cap, and a 400 (not a silent default) for a malformed page size.

A page of a queryset and its ``count`` are read by one query: the total is a
scalar subquery of the page's own statement (PostgreSQL runs it once), so a page
costs one statement rather than a ``COUNT`` and then the rows. Both come from
the same snapshot. An empty page tells no total, and needs none: page 1 empty
means no rows; any later page empty is "Invalid page." (404), as before."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import Field, Model, QuerySet
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.request import Request

from kaya.expressions import RowCount
from kaya.prepared import PreparedQuery, PreparedRows

# The annotation that carries the total on each row of a page.
_TOTAL = "_page_total"
# The largest LIMIT/OFFSET PostgreSQL and SQLite take (a signed 64-bit integer).
_MAX_OFFSET = 2**63 - 1


class CountedPaginator(Paginator):
    """Django's paginator, reading a queryset's page and its count in one query.

    A prepared query's rows (``kaya.prepared``) are read the same way, by its
    prepared statement. Anything it cannot count that way (not a queryset of
    model instances, or a sliced, combined, grouped or distinct one) takes
    Django's own path."""

    def page(self, number: Any) -> Page:
        rows: Any = self.object_list
        prepared = isinstance(rows, PreparedRows)
        if self.orphans or not (
            prepared or (isinstance(rows, QuerySet) and RowCount.counts(rows))
        ):
            return self._djangos_page(number)
        number = self._page_number(number)
        bottom = (number - 1) * self.per_page
        if bottom + self.per_page > _MAX_OFFSET:
            # No table has that many rows, and the database would refuse the
            # OFFSET (a 64-bit integer): Django's path counts first, then 404s.
            return self._djangos_page(number)
        if prepared:
            page_rows, count = rows.page(offset=bottom, limit=self.per_page)
        else:
            page_rows = list(
                rows.annotate(**{_TOTAL: RowCount.of(rows)})[
                    bottom : bottom + self.per_page
                ]
            )
            count = getattr(page_rows[0], _TOTAL) if page_rows else None
        return self._counted_page(page_rows, count, number)

    def _djangos_page(self, number: Any) -> Page:
        if isinstance(self.object_list, PreparedRows):
            self.object_list = self.object_list.queryset()
        return super().page(number)

    def _counted_page(self, rows: list[Any], count: int | None, number: int) -> Page:
        """The page, given its rows and the total they carried (``None`` for
        an empty page, which tells none)."""
        if count is None:
            if number == 1 and self.allow_empty_first_page:
                count = 0
            else:
                raise EmptyPage(self.error_messages["no_results"])
        self.__dict__["count"] = count  # the cached_property, known now
        return Page(rows, number, self)

    def _page_number(self, number: Any) -> int:
        """``validate_number`` up to the check against the count (which the
        page's own query answers)."""
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        return number


def _page_size(request: Request, param: str, default: int | None) -> int | None:
    raw = request.query_params.get(param)
    if raw is None:
        return default
    try:
        size = int(raw)
    except ValueError:
        raise ValidationError({param: ["A whole number is required."]}) from None
    if size < 1:
        raise ValidationError({param: ["Must be at least 1."]})
    return min(size, settings.API_MAX_PAGE_SIZE)


class DefaultPagination(PageNumberPagination):
    page_size_query_param = "page_size"
    django_paginator_class = CountedPaginator

    def get_page_size(self, request: Request) -> int | None:
        return _page_size(request, self.page_size_query_param, self.page_size)

    def get_page_number(self, request: Request, paginator: Paginator) -> str | int:
        # DRF reads an empty ``?page=`` as page 1; the document says an integer.
        if request.query_params.get(self.page_query_param) == "":
            raise ValidationError(
                {self.page_query_param: ["A whole number is required."]}
            )
        return super().get_page_number(request, paginator)


class NewestFirstCursorPagination(CursorPagination):
    """For feeds that grow at the head (notifications, posts): stable under inserts.

    It pages a queryset or a prepared query's rows (``kaya.prepared``) alike:
    DRF's cursor logic and links over both, the rows read by one prepared
    statement per ordering and cursor direction."""

    ordering = ("-created_at", "-id")
    page_size_query_param = "page_size"

    def get_page_size(self, request: Request) -> int | None:
        return _page_size(request, self.page_size_query_param, self.page_size)

    def paginate_queryset(
        self, queryset: Any, request: Request, view: Any = None
    ) -> list[Any] | None:
        if isinstance(queryset, PreparedRows):
            queryset = _CursorRows(queryset)
        return super().paginate_queryset(queryset, request, view)


# The value a cursor query's position fills (a name no selector takes).
_POSITION = "_cursor_position"
# Per prepared query, ordering and position lookup: the cursor query built on
# it (once per process) and the model whose field prepares the position.
_CURSOR_QUERIES: dict[tuple[Any, ...], tuple[PreparedQuery, type[Model]]] = {}


class _CursorRows:
    """A prepared query's rows (``kaya.prepared``) as DRF's cursor paginator
    uses a queryset (``order_by``, one ``filter`` by the cursor's position, a
    slice), so its cursor logic and links stay DRF's own. Each ordering and
    position lookup is a prepared query of its own, its SQL built once per
    process; the position (the cursor's text) is prepared as the ORM prepares
    that lookup's value, so a bad one is the same 400."""

    __slots__ = ("lookup", "ordering", "position", "rows")

    def __init__(
        self,
        rows: PreparedRows,
        ordering: tuple[str, ...] = (),
        lookup: str | None = None,
        position: Any = None,
    ) -> None:
        self.rows = rows
        self.ordering = ordering
        self.lookup = lookup
        self.position = position

    def order_by(self, *ordering: str) -> _CursorRows:
        return _CursorRows(self.rows, ordering, self.lookup, self.position)

    def filter(self, **lookups: Any) -> _CursorRows:
        ((lookup, position),) = lookups.items()
        return _CursorRows(self.rows, self.ordering, lookup, position)

    def __getitem__(self, window: slice) -> list[Any]:
        query, model = self._query()
        values = dict(self.rows.values)
        if self.lookup is not None:
            field = model._meta.get_field(self.lookup.partition("__")[0])
            assert isinstance(field, Field)  # an ordering names a column
            values[_POSITION] = field.get_prep_value(self.position)
        return query(**values).slice(
            offset=window.start, limit=window.stop - window.start
        )

    def _query(self) -> tuple[PreparedQuery, type[Model]]:
        base = self.rows.query
        key = (base, self.ordering, self.lookup)
        found = _CURSOR_QUERIES.get(key)
        if found is None:
            ordering, lookup = self.ordering, self.lookup

            def select(**values: Any) -> QuerySet[Any]:
                position = values.pop(_POSITION, None)
                rows = base.select(**values).order_by(*ordering)
                return rows if lookup is None else rows.filter(**{lookup: position})

            select.__qualname__ = f"{base.select.__qualname__} (cursor page)"
            model = self.rows.queryset().model
            found = (PreparedQuery(select, fields=base.fields), model)
            _CURSOR_QUERIES[key] = found
        return found
