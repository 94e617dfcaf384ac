"""The Upload's life: every status, progress and counter write, and the fan-out to generation.

queued → extracting → generating → ready, or failed from any of them. Learning's generation stages
compute items and call these to record what they did; they never write an Upload row themselves.
Generation is started by sending learning's actors by name (core.jobs), so nothing here imports
learning.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Least
from django.utils import timezone
from django.utils.translation import gettext_noop

from core.errors import PermanentError
from core.jobs import job_send, job_send_on_commit
from core.language import detect_language
from core.worker.guard import run_guarded
from uploads.extraction import ExtractedDocument, extract
from uploads.models import Section, Upload
from uploads.services.sections import cache_sections
from uploads.timings import timed

logger = logging.getLogger(__name__)
Status = Upload.Status
CHUNK = 1024 * 1024
GENERATION_STAGES = ("flashcards", "questions", "topics")
# learning's actors, by name (learning/tasks.py): one per stage with OpenAI, one for all offline.
STAGE_ACTOR_NAMES = {"flashcards": "generate_flashcards", "questions": "generate_questions", "topics": "extract_topics"}
OFFLINE_ACTOR_NAME = "generate_offline"
STAGE_PROGRESS = 20
# Fewer items than this (or no card, or no question) and the student is told the document holds little to learn.
FEW_ITEMS = 5
# Stage messages are stored in English and translated when shown.
STAGE_MESSAGES = {
    "queued": gettext_noop("Waiting for a worker"),
    "extracting": gettext_noop("Reading the document"),
    "generating": gettext_noop("Creating flashcards, questions and topics"),
}
QUEUED_AGAIN = {
    "status": Status.QUEUED,
    "stage_message": STAGE_MESSAGES["queued"],
    "message_id": "",
}


# --- Queueing ------------------------------------------------------------------------


def upload_send(upload_id: int) -> None:
    """The documents actor, after the commit that stored or reset the upload."""
    job_send_on_commit("process_document", upload_id)


def upload_restart(*, upload_id: int, generator: str, note: str) -> None:
    """A new run from the start (reprocess): back to the queue, every stage to do again."""
    Upload.objects.filter(pk=upload_id).update(
        **QUEUED_AGAIN,
        progress=0,
        generator=generator,
        generator_note=note,
        chunks_failed=0,
        run=F("run") + 1,
        error_code="",
        error_detail="",
        flashcards_done=False,
        questions_done=False,
        topics_done=False,
        failed_at=None,
        requeues=0,
    )
    upload_send(upload_id)


@transaction.atomic
def upload_requeue(*, upload: Upload) -> bool:
    """Sends the upload's unfinished work again (same run); False if its state moved meanwhile."""
    same_state = Upload.objects.filter(pk=upload.pk, run=upload.run, status=upload.status, requeues=upload.requeues)
    if upload.status == Status.GENERATING:
        changed = same_state.update(requeues=F("requeues") + 1, generating_at=timezone.now())
        if changed:  # no stage left means only the finish was lost: the message finishes it
            stages = [s for s in GENERATION_STAGES if not getattr(upload, f"{s}_done")]
            transaction.on_commit(lambda: generation_send(upload.pk, upload.run, upload.generator, stages))
    else:
        changed = same_state.update(requeues=F("requeues") + 1, **QUEUED_AGAIN)
        if changed:
            upload_send(upload.pk)
    if changed:
        logger.warning("Upload %s was stuck in %s: sent again", upload.pk, upload.status)
    return bool(changed)


def generation_send(upload_id: int, run: int, generator: str, stages: list[str] | None = None) -> None:
    """The three stages, or only the given ones (a stuck upload's unfinished stages; none: only the
    finish). With OpenAI they wait on the network: three messages, in parallel. Offline they are CPU
    work: one message that spreads them over two cores itself (learning's offline_generate)."""
    stages = list(GENERATION_STAGES) if stages is None else [s for s in GENERATION_STAGES if s in stages]
    if generator != "openai" or not stages:
        job_send(OFFLINE_ACTOR_NAME, upload_id, run, stages)
        return
    for stage in stages:
        job_send(STAGE_ACTOR_NAMES[stage], upload_id, run)


# --- Extraction (the documents actor) --------------------------------------------------


@contextmanager
def stored_file_path(upload: Upload) -> Iterator[str]:
    """A local path of the stored file: the file itself, or a temporary copy for remote storage."""
    try:
        path = upload.file.path
    except NotImplementedError:  # remote storage (S3) has no local path
        path = None
    if path:
        yield path
        return
    with upload.file.open("rb") as source, tempfile.NamedTemporaryFile(dir=settings.TEMP_DIR) as copy:
        shutil.copyfileobj(source, copy, CHUNK)
        copy.flush()
        yield copy.name


_extraction_slots: threading.BoundedSemaphore | None = None
_slots_lock = threading.Lock()


def extraction_slots() -> threading.BoundedSemaphore:
    """At most EXTRACTION_CONCURRENCY extraction children per worker process, so the worker's
    memory adds up whatever its threads do (each child may take EXTRACTION_MEMORY_MB)."""
    global _extraction_slots
    with _slots_lock:
        if _extraction_slots is None:
            _extraction_slots = threading.BoundedSemaphore(settings.EXTRACTION_CONCURRENCY)
        return _extraction_slots


def _extract(upload: Upload) -> ExtractedDocument:
    with extraction_slots(), stored_file_path(upload) as path:
        return run_guarded(
            extract,
            path,
            upload.kind,
            settings.MAX_PAGES,
            timeout=settings.EXTRACTION_TIMEOUT_SECONDS,
            memory_mb=settings.EXTRACTION_MEMORY_MB,
        )


def upload_process(*, upload_id: int, message_id: str = "") -> None:
    """Claims a queued upload, extracts it, stores the sections and starts generation.

    The claim records the message. When the broker redelivers that same message because its worker
    died mid-extraction, the upload is still `extracting` under that message and is claimed again;
    any other message finds it taken and leaves it alone.
    """
    claimable = Q(status=Status.QUEUED)
    if message_id:
        claimable |= Q(status=Status.EXTRACTING, message_id=message_id)
    claimed = Upload.objects.filter(claimable, pk=upload_id).update(
        status=Status.EXTRACTING,
        extracting_at=timezone.now(),
        progress=10,
        stage_message=STAGE_MESSAGES["extracting"],
        message_id=message_id,
    )
    if not claimed:
        return  # another delivery has it, or it was deleted
    upload = Upload.objects.get(pk=upload_id)
    try:
        with timed(upload_id, "extract"):
            document = _extract(upload)
        with timed(upload_id, "store"):
            _store_extraction(upload, document)
    except PermanentError as exc:
        upload_fail(upload_id=upload_id, code=exc.code, detail=exc.detail)
    except Exception:
        # Transient (database, storage): give the retry a queued upload to claim.
        Upload.objects.filter(pk=upload_id, status=Status.EXTRACTING).update(status=Status.QUEUED)
        raise


def _store_extraction(upload: Upload, document: ExtractedDocument) -> None:
    text = "\n".join(section.text for section in document.sections)
    rows = [
        Section(
            upload=upload,
            order=order,
            page=section.page,
            heading_path=section.heading_path[:500],
            heading_level=section.heading_level,
            paragraph_index=section.paragraph_index,
            text=section.text,
        )
        for order, section in enumerate(document.sections)
    ]
    with transaction.atomic():
        moved = Upload.objects.filter(pk=upload.pk, run=upload.run, status=Status.EXTRACTING).update(
            page_count=document.page_count or upload.page_count,
            image_only_pages=document.image_only_pages,
            language=detect_language(text),
            status=Status.GENERATING,
            generating_at=timezone.now(),
            progress=40,
            stage_message=STAGE_MESSAGES["generating"],
        )
        if not moved:
            return  # failed, deleted or finished by another delivery meanwhile: start nothing twice
        Section.objects.filter(upload=upload).delete()
        Section.objects.bulk_create(rows, batch_size=1000)
        run, generator = upload.run, upload.generator
        transaction.on_commit(lambda: _generation_start(upload.pk, run, generator, rows))


def _generation_start(upload_id: int, run: int, generator: str, sections: list[Section]) -> None:
    """After the commit: the sections into the cache first, so the generation's first read is the cache."""
    try:
        cache_sections(upload_id, sections)
    except Exception:  # the stages read the database instead
        logger.warning("Upload %s: the sections were not cached", upload_id, exc_info=True)
    generation_send(upload_id, run, generator)


# --- Generation's records (learning's stages call these) ------------------------------------


def upload_generating(upload_id: int, run: int) -> Upload | None:
    """The upload if this run is still generating: None when deleted, failed, finished or reprocessed."""
    return Upload.objects.filter(pk=upload_id, run=run, status=Status.GENERATING).first()


def upload_stage_done(*, upload_id: int, run: int, stage: str, count: int, dropped: int = 0) -> None:
    """A stage wrote its items (in the caller's transaction): its flag, its count, the progress."""
    counter = "topic_count" if stage == "topics" else f"{stage.removesuffix('s')}_count"
    Upload.objects.filter(pk=upload_id, run=run, status=Status.GENERATING).update(
        progress=Least(F("progress") + STAGE_PROGRESS, 95),
        items_dropped=F("items_dropped") + dropped,
        **{f"{stage}_done": True, counter: count},
    )


def upload_finish(*, upload_id: int, run: int) -> bool:
    """Ready when all three stages are done: exactly once, whichever stage finishes last (True then)."""
    finished = Upload.objects.filter(
        pk=upload_id, run=run, status=Status.GENERATING, flashcards_done=True, questions_done=True, topics_done=True
    ).update(status=Status.READY, progress=100, ready_at=timezone.now(), stage_message="")
    if finished:
        _note_thin_material(upload_id)
    return bool(finished)


def _note_thin_material(upload_id: int) -> None:
    """Never silently empty or thin: the page and the API say why (generator_message)."""
    upload = Upload.objects.filter(pk=upload_id)
    if upload.filter(flashcard_count=0, question_count=0).update(generator_note="nothing_to_learn"):
        return
    thin = Q(flashcard_count=0) | Q(question_count=0) | Q(total__lt=FEW_ITEMS)
    upload.alias(total=F("flashcard_count") + F("question_count")).filter(
        thin,
        generator_note="",  # an AI-budget note says more
    ).update(generator_note="little_to_learn")


def upload_counts_set(*, upload_id: int, flashcard_count: int, question_count: int) -> None:
    """After a student added or deleted an item."""
    Upload.objects.filter(pk=upload_id).update(flashcard_count=flashcard_count, question_count=question_count)


def upload_usage_add(
    *, upload_id: int, run: int, requests: int, tokens_in: int, tokens_out: int, cached: int, failed_chunks: int
) -> None:
    """What a stage cost (staff see it on the upload); failed chunks count for this run only."""
    Upload.objects.filter(pk=upload_id).update(
        ai_requests=F("ai_requests") + requests,
        ai_tokens_in=F("ai_tokens_in") + tokens_in,
        ai_tokens_out=F("ai_tokens_out") + tokens_out,
        ai_cached_answers=F("ai_cached_answers") + cached,
    )
    if failed_chunks:
        Upload.objects.filter(pk=upload_id, run=run).update(chunks_failed=F("chunks_failed") + failed_chunks)


def upload_fail(*, upload_id: int, code: str, detail: str = "") -> bool:
    """Marks the upload failed (unless it is already ready or failed); True when it changed."""
    changed = (
        Upload.objects.filter(pk=upload_id)
        .exclude(status__in=[Status.READY, Status.FAILED])
        .update(
            status=Status.FAILED,
            error_code=code,
            error_detail=detail[:2000],
            failed_at=timezone.now(),
            stage_message="",
        )
    )
    if changed:
        logger.warning("Upload %s failed: %s %s", upload_id, code, detail[:300])
    return bool(changed)
