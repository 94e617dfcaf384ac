"""Every write on uploads: the web page, the API, the admin and the actors call these.

intake (a file becomes an upload, runs again, is deleted), processing (the Upload's life: every
status, progress and counter write, and the fan-out to generation), recovery (stuck uploads) and
sections (the extracted text's cache).
"""

from uploads.services.intake import (
    generator_choose,
    upload_create,
    upload_delete,
    upload_reprocess,
)
from uploads.services.processing import (
    STAGE_MESSAGES,
    generation_send,
    upload_counts_set,
    upload_fail,
    upload_finish,
    upload_generating,
    upload_process,
    upload_requeue,
    upload_stage_done,
    upload_usage_add,
)
from uploads.services.recovery import upload_mark_failed, uploads_requeue_stuck, uploads_with_live_messages
from uploads.services.sections import cache_sections, sections_load, text_cache_key

__all__ = [
    "STAGE_MESSAGES",
    "cache_sections",
    "generation_send",
    "generator_choose",
    "sections_load",
    "text_cache_key",
    "upload_counts_set",
    "upload_create",
    "upload_delete",
    "upload_fail",
    "upload_finish",
    "upload_generating",
    "upload_mark_failed",
    "upload_process",
    "upload_reprocess",
    "upload_requeue",
    "upload_stage_done",
    "upload_usage_add",
    "uploads_requeue_stuck",
    "uploads_with_live_messages",
]
