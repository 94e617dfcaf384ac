from __future__ import annotations

from rest_framework import serializers

from uploads.models import GeneratorRequest, Upload


class UploadCreateSerializer(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=True)  # the service refuses it with its own code
    title = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    generator = serializers.ChoiceField(
        choices=GeneratorRequest.values,
        default=GeneratorRequest.AUTO,
        help_text="auto: AI when configured and within the monthly allowance, else offline. "
        "ai: refused (403 ai_budget_spent, 400 ai_unavailable) when AI cannot be had.",
    )


class ReprocessSerializer(serializers.Serializer):
    generator = serializers.ChoiceField(choices=GeneratorRequest.values, default=GeneratorRequest.AUTO)


class UploadSerializer(serializers.ModelSerializer):
    error_message = serializers.CharField(read_only=True)
    stage_message = serializers.SerializerMethodField()
    generator_message = serializers.CharField(read_only=True)
    warning_message = serializers.CharField(read_only=True)

    class Meta:
        model = Upload
        fields = [
            "id",
            "title",
            "original_name",
            "kind",
            "size",
            "page_count",
            "language",
            "status",
            "progress",
            "stage_message",
            "error_code",
            "error_message",
            "generator",
            "generator_message",
            "chunks_failed",
            "warning_message",
            "flashcard_count",
            "question_count",
            "topic_count",
            "created_at",
            "ready_at",
        ]
        read_only_fields = fields

    def get_stage_message(self, upload: Upload) -> str:
        from django.utils.translation import gettext

        return gettext(upload.stage_message) if upload.stage_message else ""
