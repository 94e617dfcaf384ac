from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from uploads import services
from uploads.models import Section, Upload
from uploads.timings import timings_get


@admin.register(Upload)
class UploadAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "owner",
        "kind",
        "status",
        "stage_message",
        "progress",
        "seconds_to_ready",
        "page_count",
        "language",
        "flashcard_count",
        "question_count",
        "topic_count",
        "generator",
        "ai_requests",
        "ai_tokens_in",
        "ai_tokens_out",
        "error_code",
        "requeues",
        "created_at",
    ]
    list_filter = ["status", "kind", "language", "generator", "error_code"]
    search_fields = ["title", "original_name", "owner__email", "sha256"]
    readonly_fields = [f.name for f in Upload._meta.fields if f.name not in ("title",)] + [
        "error_message",
        "seconds_to_ready",
        "step_timings",
    ]
    date_hierarchy = "created_at"
    actions = ["reprocess", "mark_failed", "delete_with_files"]
    list_select_related = ["owner"]

    @admin.display(description=_("seconds to ready"))
    def seconds_to_ready(self, upload: Upload) -> float | None:
        return round((upload.ready_at - upload.created_at).total_seconds(), 1) if upload.ready_at else None

    @admin.display(description=_("time per step (ms, last day)"))
    def step_timings(self, upload: Upload) -> str:

        return ", ".join(f"{step} {ms:.0f}" for step, ms in sorted(timings_get(upload.pk).items())) or "-"

    def get_actions(self, request: HttpRequest) -> dict:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # the service also removes files and cache keys
        return actions

    @admin.action(description=_("Process again"))
    def reprocess(self, request: HttpRequest, queryset: QuerySet[Upload]) -> None:
        done = 0
        for upload in queryset:
            try:
                services.upload_reprocess(upload=upload)
            except ValidationError:
                continue  # still processing: the service refuses, as it does for students
            done += 1
        self.message_user(request, _("%(count)d uploads queued again.") % {"count": done}, messages.SUCCESS)

    @admin.action(description=_("Mark as failed"))
    def mark_failed(self, request: HttpRequest, queryset: QuerySet[Upload]) -> None:
        done = sum(services.upload_mark_failed(upload=upload) for upload in queryset)
        self.message_user(request, _("%(count)d uploads marked as failed.") % {"count": done}, messages.SUCCESS)

    @admin.action(description=_("Delete with files and study material"))
    def delete_with_files(self, request: HttpRequest, queryset: QuerySet[Upload]) -> None:
        count = 0
        for upload in queryset:
            services.upload_delete(upload=upload)
            count += 1
        self.message_user(request, _("%(count)d uploads deleted.") % {"count": count}, messages.SUCCESS)

    def delete_model(self, request: HttpRequest, obj: Upload) -> None:
        services.upload_delete(upload=obj)


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["upload", "order", "page", "heading_level", "heading_path"]
    list_filter = ["heading_level"]
    search_fields = ["upload__title", "text"]
    raw_id_fields = ["upload"]

    # The text of what was extracted: processing writes it, staff read it.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Section | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Section | None = None) -> bool:
        return False
