from collections.abc import Callable

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from learning import services
from learning.models import AIUsage, Flashcard, Question, Quiz, QuizItem, Review, ReviewState, Topic


class ReadOnlyAdmin(admin.ModelAdmin):
    """Staff look, they do not write: study records are the students' own doing, and the generated
    material changes only through the services (origin, validation, the upload's counts)."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ItemAdmin(ReadOnlyAdmin):
    """A card or question staff remove (a complaint, a wrong fact) goes through the student's own
    delete service, so the upload's counts stay right."""

    actions = ["delete_through_service"]
    delete_service: Callable[..., int] = staticmethod(services.flashcard_delete)
    id_argument = "flashcard_id"

    def get_actions(self, request: HttpRequest) -> dict:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.action(description=_("Delete from the student's material"))
    def delete_through_service(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = 0
        for item in queryset.select_related("upload"):
            self.delete_service(user=item.upload.owner, **{self.id_argument: item.pk})
            count += 1
        self.message_user(request, _("%(count)d items deleted.") % {"count": count}, messages.SUCCESS)


@admin.register(Topic)
class TopicAdmin(ReadOnlyAdmin):
    list_display = ["title", "upload", "level", "order", "pages"]
    list_filter = ["level"]
    search_fields = ["title", "summary", "upload__title", "upload__owner__email"]
    raw_id_fields = ["upload", "parent"]


@admin.register(Flashcard)
class FlashcardAdmin(ItemAdmin):
    list_display = ["front", "kind", "upload", "source_page", "origin", "suspended", "updated_at"]
    list_filter = ["kind", "origin", "suspended"]
    search_fields = ["front", "back", "upload__title", "upload__owner__email"]
    raw_id_fields = ["upload", "topic", "source_section"]


@admin.register(Question)
class QuestionAdmin(ItemAdmin):
    delete_service = staticmethod(services.question_delete)
    id_argument = "question_id"
    list_display = ["stem", "upload", "source_page", "origin", "updated_at"]
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


@admin.register(ReviewState)
class ReviewStateAdmin(ReadOnlyAdmin):
    list_display = ["flashcard", "user", "state", "due", "reps", "lapses", "stability"]
    list_filter = ["state"]
    search_fields = ["user__email", "flashcard__front"]
    raw_id_fields = ["user", "flashcard"]


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ["reviewed_at", "user", "flashcard", "rating", "state_before", "due", "duration_ms"]
    list_filter = ["rating", "state_before"]
    search_fields = ["user__email", "flashcard__front"]
    raw_id_fields = ["user", "flashcard"]
    date_hierarchy = "reviewed_at"


class QuizItemInline(admin.TabularInline):
    model = QuizItem
    fields = ("position", "stem", "choice", "correct_index", "correct", "answered_at")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Quiz)
class QuizAdmin(ReadOnlyAdmin):
    list_display = ["title", "user", "upload", "size", "created_at", "finished_at"]
    search_fields = ["title", "user__email"]
    raw_id_fields = ["user", "upload", "topic"]
    inlines = [QuizItemInline]
