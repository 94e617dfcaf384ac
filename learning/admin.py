from django.contrib import admin

from learning.models import Flashcard, Question, Topic


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["title", "upload", "level", "order"]
    search_fields = ["title", "upload__title"]
    raw_id_fields = ["upload", "parent"]


@admin.register(Flashcard)
class FlashcardAdmin(admin.ModelAdmin):
    list_display = ["front", "kind", "upload", "source_page", "generated"]
    list_filter = ["kind", "generated"]
    search_fields = ["front", "back", "upload__title", "upload__owner__email"]
    raw_id_fields = ["upload", "topic", "source_section"]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["stem", "upload", "source_page", "generated"]
    list_filter = ["generated"]
    search_fields = ["stem", "upload__title", "upload__owner__email"]
    raw_id_fields = ["upload", "topic", "source_section"]
