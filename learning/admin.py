from django.contrib import admin

from learning.models import AIUsage, Flashcard, Question, Topic


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["title", "upload", "level", "order"]
    search_fields = ["title", "upload__title"]
    raw_id_fields = ["upload", "parent"]


@admin.register(Flashcard)
class FlashcardAdmin(admin.ModelAdmin):
    list_display = ["front", "kind", "upload", "source_page", "origin"]
    list_filter = ["kind", "origin", "suspended"]
    search_fields = ["front", "back", "upload__title", "upload__owner__email"]
    raw_id_fields = ["upload", "topic", "source_section"]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["stem", "upload", "source_page", "origin"]
    list_filter = ["origin"]
    search_fields = ["stem", "upload__title", "upload__owner__email"]
    raw_id_fields = ["upload", "topic", "source_section"]


@admin.register(AIUsage)
class AIUsageAdmin(admin.ModelAdmin):
    """What the AI cost, per generation stage: tokens in and out, requests, answers from the cache."""

    list_display = [
        "created_at",
        "user",
        "upload",
        "task",
        "model",
        "requests",
        "tokens_in",
        "tokens_out",
        "cached_answers",
    ]
    list_filter = ["task", "model"]
    search_fields = ["user__email", "upload__title"]
    raw_id_fields = ["user", "upload"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
