"""The project's routes plus the ceiling of the list benchmark: the same query as
`GET /api/v1/uploads/{id}/flashcards/`, `.values()` into a JsonResponse, no auth, no serializer."""

from django.http import HttpRequest, JsonResponse
from django.urls import path

from hackthestudy.urls import handler400, handler403, handler404, handler500
from hackthestudy.urls import urlpatterns as project_urls
from learning.models import Flashcard

FIELDS = [
    "id",
    "upload_id",
    "kind",
    "front",
    "back",
    "topic_id",
    "source_page",
    "source_location",
    "source_snippet",
    "origin",
    "suspended",
    "created_at",
    "updated_at",
]


def plain_flashcards(request: HttpRequest, upload_id: int) -> JsonResponse:
    rows = list(Flashcard.objects.filter(upload_id=upload_id).order_by("id").values(*FIELDS)[:50])
    return JsonResponse({"count": len(rows), "results": rows})


urlpatterns = [path("bench/plain/<int:upload_id>/flashcards/", plain_flashcards), *project_urls]
__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
