"""The study API for the mobile app: cards and questions, reviews, quizzes, stats and exports."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.schema import ErrorSerializer
from core.numbers import parse_int
from core.requests import api_user
from learning import selectors, services
from learning.api import serializers as s
from learning.exports import export_response
from learning.grading import expected_answer, grade
from learning.models import Flashcard, Question, Quiz
from learning.stats import study_stats
from uploads.selectors import upload_get_for_user

ERRORS = {code: OpenApiResponse(ErrorSerializer) for code in (400, 401, 404)}
SCOPE = [
    OpenApiParameter("upload", int, description="Only this document's items."),
    OpenApiParameter("topic", int, description="Only this topic's items (with its subtopics)."),
]


def _scope_filter(request: Request, queryset: QuerySet) -> QuerySet:
    for name in ("upload", "topic"):
        value = request.query_params.get(name)
        if value is not None:
            number = parse_int(value)
            if number is None:
                raise ValidationError({name: "Give a number."})
            queryset = queryset.filter(**{f"{name}_id": number})
    return queryset


class OwnItemViewSet(viewsets.ModelViewSet):
    """CRUD over the student's own items; every write goes through the item services."""

    model: Any
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "patch", "put", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return self.model.objects.none()
        items = self.model.objects.for_user(api_user(self.request)).order_by("upload_id", "id")
        return _scope_filter(self.request, items) if self.action == "list" else items

    def _service(self, verb: str):
        return getattr(services, f"{self.model._meta.model_name}_{verb}")

    def perform_create(self, serializer) -> None:
        data = dict(serializer.validated_data)
        upload = data.pop("upload")
        data.pop("suspended", None)
        serializer.instance = self._service("create")(user=api_user(self.request), upload_id=upload.pk, **data)

    def perform_update(self, serializer) -> None:
        item_id = {f"{self.model._meta.model_name}_id": serializer.instance.pk}
        serializer.instance = self._service("update")(
            user=api_user(self.request), **item_id, **serializer.validated_data
        )

    def perform_destroy(self, instance) -> None:
        self._service("delete")(user=api_user(self.request), **{f"{self.model._meta.model_name}_id": instance.pk})


@extend_schema(tags=["flashcards"], parameters=SCOPE)
class FlashcardViewSet(OwnItemViewSet):
    """The student's own flashcards. Editing a generated card marks it `edited`; reprocessing keeps it."""

    model = Flashcard
    serializer_class = s.FlashcardSerializer

    def get_queryset(self) -> QuerySet[Flashcard]:
        cards = super().get_queryset()
        if getattr(self, "swagger_fake_view", False):
            return cards
        return cards.prefetch_related(selectors.own_review_states(api_user(self.request)))

    def list(self, request: Request) -> Response:
        return card_list(request, self.paginator, super().get_queryset())

    @extend_schema(request=s.ReviewInputSerializer, responses={200: s.ReviewResultSerializer, **ERRORS}, parameters=[])
    @action(detail=True, methods=["post"])
    def review(self, request: Request, pk: str) -> Response:
        """Answer the card with a rating (1 again, 2 hard, 3 good, 4 easy); returns when it is due next."""
        data = _valid(s.ReviewInputSerializer, request.data)
        state = services.review_record(user=api_user(request), flashcard_id=int(pk), **data)
        return Response(s.ReviewResultSerializer(state).data)

    @extend_schema(request=s.CheckInputSerializer, responses={200: s.CheckResultSerializer, **ERRORS}, parameters=[])
    @action(detail=True, methods=["post"])
    def check(self, request: Request, pk: str) -> Response:
        """Write mode: grade a typed answer (correct / almost / wrong) and show the expected one; records nothing."""
        data = _valid(s.CheckInputSerializer, request.data)
        result = grade(expected_answer(self.get_object()), data["answer"])
        return Response(s.CheckResultSerializer(result).data)


@extend_schema(tags=["questions"], parameters=SCOPE)
class QuestionViewSet(OwnItemViewSet):
    """The student's own multiple-choice questions."""

    model = Question
    serializer_class = s.QuestionSerializer


class StudyDueView(APIView):
    @extend_schema(
        tags=["study"],
        parameters=[*SCOPE, OpenApiParameter("limit", int, description="At most this many cards (1–200, 50).")],
        responses={200: s.DueSerializer, **ERRORS},
    )
    def get(self, request: Request) -> Response:
        """The cards to study now: due ones by due date, today's new ones mixed in, each with its button intervals."""
        query = _valid(s.DueQuerySerializer, request.query_params)
        now = timezone.now()
        queue = selectors.study_queue(
            api_user(request), upload_id=query.get("upload"), topic_id=query.get("topic"), limit=query["limit"], now=now
        )
        return Response(s.DueSerializer(queue, context={"request": request, "now": now}).data)


@extend_schema(tags=["quizzes"])
class QuizViewSet(mixins.CreateModelMixin, mixins.RetrieveModelMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Quizzes over a document or a topic. Answers are revealed question by question."""

    serializer_class = s.QuizSerializer
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[Quiz]:
        if getattr(self, "swagger_fake_view", False):
            return Quiz.objects.none()
        return Quiz.objects.filter(user=api_user(self.request)).prefetch_related("items__question")

    @extend_schema(request=s.QuizCreateSerializer, responses={201: s.QuizSerializer, **ERRORS})
    def create(self, request: Request) -> Response:
        """Start a quiz: `upload` or `topic`, and `size` (default 10)."""
        data = _valid(s.QuizCreateSerializer, request.data)
        quiz = services.quiz_create(
            user=api_user(request), upload_id=data.get("upload"), topic_id=data.get("topic"), size=data.get("size")
        )
        return Response(s.QuizSerializer(self.get_queryset().get(pk=quiz.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.QuizAnswerInputSerializer, responses={200: s.QuizAnswerSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def answers(self, request: Request, pk: str) -> Response:
        """Answer one question (`question` id or the item's `position`, `choice` 0–3): whether it was
        right, the explanation and the page."""
        data = _valid(s.QuizAnswerInputSerializer, request.data)
        item = services.quiz_answer(
            user=api_user(request),
            quiz_id=int(pk),
            question_id=data.get("question"),
            position=data.get("position"),
            choice=data["choice"],
        )
        return Response(s.QuizAnswerSerializer(item).data)


class StatsView(APIView):
    @extend_schema(tags=["study"], responses={200: s.StatsSerializer, 401: OpenApiResponse(ErrorSerializer)})
    def get(self, request: Request) -> Response:
        """Due today and the next 7 days, reviews per day, retention, streak, mastery per upload and topic."""
        return Response(s.StatsSerializer(study_stats(api_user(request))).data)


class UploadExportView(APIView):
    """Downloads of an upload's material; another student's upload is a 404."""

    @extend_schema(
        tags=["uploads"],
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, 404: OpenApiResponse(ErrorSerializer)},
    )
    def get(self, request: Request, upload_id: int, fmt: str) -> HttpResponse:
        """`export.apkg`: an Anki package (re-importing updates the same notes); `export.csv`: cards and questions."""
        upload = upload_get_for_user(user=api_user(request), upload_id=upload_id)
        return export_response(upload, fmt)


def card_list(request: Request, paginator, cards: QuerySet[Flashcard], upload_id: str | None = None) -> Response:
    """A page of the student's cards with their review states, in one query (two with the user's)
    whatever the page holds; `upload_id` makes another student's document (or none) a 404."""
    user = api_user(request)
    rows = selectors.card_rows(cards.filter(upload__owner=user).order_by("upload_id", "id"), user)
    page = paginator.paginate_counted(rows, request)
    if upload_id is not None and not page:
        upload_get_for_user(user=user, upload_id=int(upload_id))  # none of the student's, or 404
    return paginator.get_paginated_response(s.cards_json(page))


def _valid(serializer_class: type, data: object) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
