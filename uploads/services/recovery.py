"""Uploads that nothing will move any more (the requeue_stuck_uploads cron actor), and staff's stop."""

from __future__ import annotations

from datetime import timedelta

import dramatiq
from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django_dramatiq.models import Task

from uploads.models import Upload
from uploads.services.processing import upload_fail, upload_requeue

Status = Upload.Status
# The state's timestamp, and how long a message for it may run (the actors' time limits).
STATE_CLOCKS = {Status.QUEUED: "updated_at", Status.EXTRACTING: "extracting_at", Status.GENERATING: "generating_at"}
PIPELINE_ACTORS = (
    "process_document",
    "generate_flashcards",
    "generate_questions",
    "extract_topics",
    "generate_offline",
)


def uploads_with_live_messages() -> set[int]:
    """Uploads a pipeline message is waiting for, or ran for within its actor's time limit.

    From the task table (django_dramatiq's AdminMiddleware). A message whose worker was killed
    stays `running` there forever; the broker redelivers it, and past the time limit it is dead.
    A retry turns its `failed` row into `delayed` (the task middleware's after-hooks run before
    Retries enqueues), so `failed` means no retry is coming.
    """
    broker = dramatiq.get_broker()
    running = Q()
    for name in PIPELINE_ACTORS:
        limit = timedelta(milliseconds=broker.get_actor(name).options["time_limit"])
        running |= Q(actor_name=name, updated_at__gte=timezone.now() - limit)
    live = Task.tasks.filter(actor_name__in=PIPELINE_ACTORS).filter(
        Q(status__in=[Task.STATUS_ENQUEUED, Task.STATUS_DELAYED]) | (Q(status=Task.STATUS_RUNNING) & running)
    )
    return {int(task.message.args[0]) for task in live.iterator() if task.message.args}


def uploads_requeue_stuck() -> dict[str, int]:
    """Uploads in a processing state past STUCK_AFTER_MINUTES with no live message: nothing will move
    them (a send lost while Redis was down, a message lost without persistence). Each is sent again
    once, then failed with a message."""
    cutoff = timezone.now() - timedelta(minutes=settings.STUCK_AFTER_MINUTES)
    overdue = Q()
    for status, clock in STATE_CLOCKS.items():
        overdue |= Q(status=status, **{f"{clock}__lt": cutoff})
    stuck = list(Upload.objects.filter(overdue))
    outcome = {"requeued": 0, "failed": 0}
    if not stuck:
        return outcome
    live = uploads_with_live_messages()
    for upload in stuck:
        if upload.pk in live:
            continue
        if upload.requeues >= 1:
            detail = f"stuck in {upload.status} after a requeue; no live message"
            outcome["failed"] += upload_fail(upload_id=upload.pk, code="processing_stuck", detail=detail)
        else:
            outcome["requeued"] += upload_requeue(upload=upload)
    return outcome


def upload_mark_failed(*, upload: Upload) -> bool:
    """Staff stop a stuck upload from the admin."""
    return upload_fail(upload_id=upload.pk, code="marked_failed", detail="marked failed by staff")
