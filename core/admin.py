"""The message list of django_dramatiq, without its stored-XSS hole.

django_dramatiq's own TaskAdmin puts the message (arguments, traceback) into the page with
`mark_safe`; a document title or an exception text could carry HTML. Here everything is escaped.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_dramatiq.models import Task

admin.site.unregister(Task)


@admin.register(Task)
class SafeTaskAdmin(admin.ModelAdmin):
    exclude = ("message_data",)
    readonly_fields = ("status", "queue_name", "actor_name", "arguments", "message_details", "traceback")
    list_display = ("actor_name", "arguments", "status", "queue_name", "eta", "created_at", "updated_at")
    list_filter = ("status", "queue_name", "actor_name", "created_at")
    search_fields = ("actor_name", "id")
    date_hierarchy = "created_at"

    @admin.display(description=_("arguments"))
    def arguments(self, task: Task) -> str:
        return ", ".join(repr(arg) for arg in task.message.args)

    @admin.display(description=_("due"))
    def eta(self, task: Task) -> datetime:
        millis = task.message.options.get("eta", task.message.message_timestamp)
        return datetime.fromtimestamp(millis / 1000, tz=UTC)

    @admin.display(description=_("message"))
    def message_details(self, task: Task) -> str:
        return format_html("<pre>{}</pre>", json.dumps(task.message.asdict(), indent=2, default=str))

    @admin.display(description=_("traceback"))
    def traceback(self, task: Task) -> str:
        text = task.message.options.get("traceback")
        return format_html("<pre>{}</pre>", text) if text else "-"

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
