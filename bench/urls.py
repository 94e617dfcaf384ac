"""The project's routes plus the ceilings of the list benchmark: what `GET /api/v1/uploads/{id}/flashcards/`
asks the database, `.values()` into a JsonResponse, no auth, no DRF, no serializer."""

from django.contrib.auth import get_user_model
from django.http import HttpRequest, JsonResponse
from django.urls import path

from core.api.pagination import with_total
from hackthestudy.urls import handler400, handler403, handler404, handler500
from hackthestudy.urls import urlpatterns as project_urls
from learning.models import Flashcard
from learning.selectors import CARD_FIELDS, card_rows


def plain_flashcards(request: HttpRequest, upload_id: int) -> JsonResponse:
    """The ceiling: the API's query (the page of cards with the student's review states and the
    count) for the student named by `?user=`."""
    user = get_user_model()(pk=int(request.GET["user"]))
    cards = Flashcard.objects.filter(upload_id=upload_id, upload__owner=user).order_by("upload_id", "id")
    rows = list(with_total(card_rows(cards, user))[:50])
    return JsonResponse({"count": rows[0]["_total"] if rows else 0, "results": rows})


def plain_cards_only(request: HttpRequest, upload_id: int) -> JsonResponse:
    """A lower bar, for the details: the card columns alone, no review states, no count."""
    rows = list(Flashcard.objects.filter(upload_id=upload_id).order_by("id").values(*CARD_FIELDS)[:50])
    return JsonResponse({"count": len(rows), "results": rows})


urlpatterns = [
    path("bench/plain/<int:upload_id>/flashcards/", plain_flashcards),
    path("bench/plain-cards/<int:upload_id>/flashcards/", plain_cards_only),
    *project_urls,
]
__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
