"""Default pagination: page numbers, a page size the client may lower or raise up
to a hard cap, and a 400 (not a silent default) for a malformed page size."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.request import Request


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
    """For feeds that grow at the head (notifications, posts): stable under inserts."""

    ordering = ("-created_at", "-id")
    page_size_query_param = "page_size"

    def get_page_size(self, request: Request) -> int | None:
        return _page_size(request, self.page_size_query_param, self.page_size)
