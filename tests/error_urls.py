"""The project's URLs plus two API views that fail, to see the error shape of 403 and 500."""

from django.core.exceptions import PermissionDenied
from django.urls import path
from rest_framework.decorators import api_view

from hackthestudy.urls import handler400, handler403, handler404, handler500, urlpatterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


@api_view(["GET"])
def forbidden(request):
    raise PermissionDenied


@api_view(["GET"])
def boom(request):
    raise RuntimeError("a bug")


urlpatterns = [
    path("api/v1/test/forbidden/", forbidden),
    path("api/v1/test/boom/", boom),
    *urlpatterns,
]
