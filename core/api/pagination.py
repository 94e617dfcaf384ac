"""The API's page number pagination, with a page query that also counts.

DRF's PageNumberPagination asks the database twice per page: COUNT(*), then the page. For the
long lists (cards of a document) `paginate_counted` asks once: the page's rows carry the total
from a count subquery that PostgreSQL runs once per query (a window count would join every row
of the list first). The response is the same: `count`, `next`, `previous`, `results`.
"""

from __future__ import annotations

from django.core.paginator import InvalidPage, Page
from django.db.models import IntegerField, QuerySet, Subquery
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.views import APIView

from core.numbers import parse_int


class _Count(Subquery):
    template = "(SELECT COUNT(*) FROM (%(subquery)s) _counted)"
    output_field = IntegerField()


def with_total(queryset: QuerySet) -> QuerySet:
    """Each row also carries `_total`, the number of rows of the unsliced queryset."""
    return queryset.annotate(_total=_Count(queryset.order_by().values("pk")))


MAX_PAGE = 10**9  # a page beyond this overflows the offset (bigint): answered as DRF answers "last"


class CountedPageNumberPagination(PageNumberPagination):
    def paginate_counted(self, queryset: QuerySet, request: Request, view: APIView | None = None) -> list | None:
        """`paginate_queryset` in one query; the queryset is ordered and yields dicts (`.values()`)."""
        size = self.get_page_size(request)
        if not size:
            return None
        raw = request.query_params.get(self.page_query_param) or "1"
        number = parse_int(raw, maximum=MAX_PAGE)
        if number is None or number < 1:  # "last" and invalid numbers: DRF's way (two queries)
            return self.paginate_queryset(queryset, request, view)
        self.request = request
        rows = list(with_total(queryset)[(number - 1) * size : number * size])
        paginator = self.django_paginator_class(rows, size)
        paginator.count = rows[0]["_total"] if rows else queryset.count()  # past the end: count once
        try:
            number = paginator.validate_number(number)
        except InvalidPage as exc:
            raise NotFound(self.invalid_page_message.format(page_number=raw, message=str(exc))) from exc
        self.page = Page(rows, number, paginator)
        return rows
