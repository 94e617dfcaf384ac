from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.schema import ErrorSerializer
from core.requests import api_user
from learning.api.serializers import FlashcardSerializer, QuestionSerializer, TopicSerializer
from learning.api.views import card_list
from learning.selectors import upload_flashcards, upload_questions, upload_topics
from uploads import services
from uploads.api.serializers import ReprocessSerializer, UploadCreateSerializer, UploadSerializer
from uploads.models import Upload

ERRORS = {code: OpenApiResponse(ErrorSerializer) for code in (400, 401, 403, 404, 413, 415)}


class UploadViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    """The student's own documents; another user's upload is a 404 on every endpoint."""

    serializer_class = UploadSerializer
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[Upload]:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return Upload.objects.none()
        return Upload.objects.for_user(api_user(self.request))

    @extend_schema(
        request={"multipart/form-data": UploadCreateSerializer},
        responses={201: UploadSerializer, 200: UploadSerializer, **ERRORS},
    )
    def create(self, request: Request) -> Response:
        """Upload a document (multipart `file`, optional `title`); 200 with the existing upload for the same bytes."""
        serializer = UploadCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        upload, created = services.upload_create(
            owner=api_user(request), file=data["file"], title=data["title"], generator=data["generator"]
        )
        return Response(
            UploadSerializer(upload).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )

    def perform_destroy(self, instance: Upload) -> None:
        services.upload_delete(upload=instance)

    @extend_schema(request=ReprocessSerializer, responses={202: UploadSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def reprocess(self, request: Request, pk: str) -> Response:
        """Process again; optional `generator` ("auto", "ai" or "offline")."""
        serializer = ReprocessSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = services.upload_reprocess(upload=self.get_object(), generator=serializer.validated_data["generator"])
        return Response(UploadSerializer(upload).data, status=status.HTTP_202_ACCEPTED)

    def _items(self, queryset: QuerySet, serializer_class: type) -> Response:
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(serializer_class(page, many=True).data)

    @extend_schema(responses=FlashcardSerializer(many=True))
    @action(detail=True, methods=["get"])
    def flashcards(self, request: Request, pk: str) -> Response:
        """The document's cards, 50 per page, each with the student's review state (null while new)."""
        return card_list(request, self.paginator, upload_flashcards(int(pk)), pk)

    @extend_schema(responses=QuestionSerializer(many=True))
    @action(detail=True, methods=["get"])
    def questions(self, request: Request, pk: str) -> Response:
        upload = self.get_object()
        return self._items(upload_questions(upload.pk), QuestionSerializer)

    @extend_schema(responses=TopicSerializer(many=True))
    @action(detail=True, methods=["get"])
    def topics(self, request: Request, pk: str) -> Response:
        upload = self.get_object()
        return self._items(upload_topics(upload.pk), TopicSerializer)
