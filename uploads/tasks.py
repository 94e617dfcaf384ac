"""Actors of the documents queue, and the stuck-upload cron: thin, taking ids, calling a service."""

from __future__ import annotations

import logging
from typing import Any

import dramatiq
from dramatiq.middleware import CurrentMessage
from dramatiq_crontab import cron

from uploads.services import upload_fail, upload_process, uploads_requeue_stuck

logger = logging.getLogger(__name__)
MINUTE = 60_000


@dramatiq.actor(
    queue_name="documents",
    max_retries=3,
    min_backoff=2_000,
    max_backoff=60_000,
    time_limit=15 * 60_000,
    on_retry_exhausted="upload_retries_exhausted",
)
def process_document(upload_id: int) -> None:
    message = CurrentMessage.get_current_message()
    upload_process(upload_id=upload_id, message_id=message.message_id if message else "")


@dramatiq.actor(queue_name="documents", max_retries=0)
def upload_retries_exhausted(message_data: dict[str, Any], retry_info: dict[str, Any]) -> None:
    """A stage kept failing for transient reasons: the upload fails with that stage's message."""
    code = "generation_failed" if message_data["queue_name"].startswith("ai") else "processing_failed"
    detail = f"{message_data['actor_name']} gave up after {retry_info.get('retries')} retries"
    upload_fail(upload_id=message_data["args"][0], code=code, detail=detail)


@cron("*/5 * * * *")
@dramatiq.actor(queue_name="maintenance", max_retries=0, time_limit=5 * MINUTE, max_age=5 * MINUTE)
def requeue_stuck_uploads() -> None:
    outcome = uploads_requeue_stuck()
    if any(outcome.values()):
        logger.warning("Stuck uploads: %(requeued)d sent again, %(failed)d failed", outcome)
