"""Every write on uploads: the web page, the API, the admin and the actors call these."""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import PurePath

from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from hackthestudy.rates import rate_allows
from uploads import errors
from uploads.detection import detect_kind
from uploads.errors import PermanentError, UploadRejected, too_large
from uploads.extraction import ExtractedDocument
from uploads.inspection import inspect_file
from uploads.language import detect_language
from uploads.models import Generator, Section, Upload
from uploads.timings import timed

logger = logging.getLogger(__name__)
Status = Upload.Status
CHUNK = 1024 * 1024
GENERATION_STAGES = ("flashcards", "questions", "topics")
# Stage messages are stored in English and translated when shown.
STAGE_MESSAGES = {
    "queued": gettext_noop("Waiting for a worker"),
    "extracting": gettext_noop("Reading the document"),
    "generating": gettext_noop("Creating flashcards, questions and topics"),
}


def text_cache_key(upload_id: int) -> str:
    return f"extracted_text:{upload_id}"


# --- Upload -----------------------------------------------------------------------


def _sha256(file: UploadedFile) -> str:
    digest = hashlib.sha256()
    for chunk in file.chunks(CHUNK):
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


@contextmanager
def _local_path(file: UploadedFile) -> Iterator[str]:
    if hasattr(file, "temporary_file_path"):
        yield file.temporary_file_path()
        return
    with tempfile.NamedTemporaryFile(suffix=".upload", dir=settings.TEMP_DIR) as copy:
        for chunk in file.chunks(CHUNK):
            copy.write(chunk)
        copy.flush()
        file.seek(0)
        yield copy.name


def _check_limits(*, owner: User, file: UploadedFile) -> None:
    if file.size > settings.MAX_UPLOAD_MB * 1024 * 1024:
        raise too_large(settings.MAX_UPLOAD_MB)
    if file.size == 0:
        raise UploadRejected(_("The file is empty."), code="empty_file")


def _check_quota(owner: User) -> None:
    if Upload.objects.for_user(owner).count() >= settings.MAX_UPLOADS_PER_USER:
        raise UploadRejected(
            _("You already have %(count)d documents, the most an account can keep. Delete one to upload another.")
            % {"count": settings.MAX_UPLOADS_PER_USER},
            code="quota_exceeded",
            status_code=403,
        )


def _check_rate(owner: User) -> None:
    """At most THROTTLE_UPLOADS new uploads (or reprocessing runs) per user and period (web, API and
    admin alike)."""
    if not rate_allows("uploads", owner.pk):
        raise UploadRejected(
            _("You uploaded too many documents in a short time. Please wait a while and try again."),
            code="too_many_uploads",
            status_code=429,
        )


GENERATOR_CHOICES = ("", "auto", "ai", "offline")


def generator_choose(*, owner: User, requested: str = "") -> tuple[str, str]:
    """(generator, note): AI when configured and the owner's monthly budget allows, else offline.

    Asking for "ai" explicitly is refused when it cannot be had; "auto" falls back with a note.
    """
    from learning.generation import ai_available
    from learning.selectors import ai_budget_spent

    if requested == "offline":
        return Generator.OFFLINE, ""
    if not ai_available():
        if requested == "ai":
            raise errors.ai_not_configured()
        return Generator.OFFLINE, ""
    if ai_budget_spent(owner):
        if requested == "ai":
            raise errors.ai_budget_spent()
        return Generator.OFFLINE, "ai_budget_spent"
    return Generator.OPENAI, ""


def upload_create(*, owner: User, file: UploadedFile, title: str = "", generator: str = "") -> tuple[Upload, bool]:
    """Stores the file and queues its processing; returns (upload, created).

    The same user uploading the same bytes again gets the existing upload back.
    `generator` is "auto" (or empty), "ai" or "offline".
    """
    _check_limits(owner=owner, file=file)
    kind = detect_kind(file, file.name or "")
    sha256 = _sha256(file)
    existing = Upload.objects.for_user(owner).filter(sha256=sha256).first()
    if existing is not None:
        return existing, False
    _check_rate(owner)
    _check_quota(owner)
    chosen, note = generator_choose(owner=owner, requested=generator)
    with _local_path(file) as path:
        page_count, meta_title = inspect_file(kind, file, path)
    if page_count and page_count > settings.MAX_PAGES:
        raise UploadRejected(
            _("This document has %(pages)d pages; at most %(limit)d are allowed.")
            % {"pages": page_count, "limit": settings.MAX_PAGES},
            code="too_many_pages",
        )
    name = PurePath(file.name or "document").name[:255]
    upload = Upload(
        owner=owner,
        title=(title.strip() or meta_title or PurePath(name).stem or name)[:255],
        original_name=name,
        sha256=sha256,
        size=file.size,
        kind=kind,
        page_count=page_count,
        stage_message=STAGE_MESSAGES["queued"],
        generator=chosen,
        generator_note=note,
    )
    upload.file.save(name, file, save=False)  # Storage.save streams the file in chunks
    try:
        with transaction.atomic():
            # The quota again, under a lock on the owner's row: parallel uploads take their turn
            # here, so 8 at once with one place left store one (the check above spares the
            # storing for the common case).
            User.objects.select_for_update().filter(pk=owner.pk).first()
            _check_quota(owner)
            upload.save()
            _send_after_commit(upload.id)
    except UploadRejected:
        upload.file.delete(save=False)  # over the quota after all: nothing stored
        raise
    except IntegrityError:
        upload.file.delete(save=False)  # the same bytes won a race: keep the first
        return Upload.objects.for_user(owner).get(sha256=sha256), False
    return upload, True


def _send_after_commit(upload_id: int) -> None:
    from uploads.tasks import process_document

    transaction.on_commit(lambda: process_document.send(upload_id))


@transaction.atomic
def upload_reprocess(*, upload: Upload, generator: str = "") -> Upload:
    """Back to the queue; the new run replaces the generated items as each stage finishes."""
    if upload.is_processing:
        raise UploadRejected(_("This document is still being processed."), code="still_processing", status_code=409)
    _check_rate(upload.owner)  # each run costs what an upload costs
    chosen, note = generator_choose(owner=upload.owner, requested=generator)
    Upload.objects.filter(pk=upload.pk).update(
        generator=chosen,
        generator_note=note,
        chunks_failed=0,
        run=F("run") + 1,
        status=Status.QUEUED,
        progress=0,
        stage_message=STAGE_MESSAGES["queued"],
        error_code="",
        error_detail="",
        flashcards_done=False,
        questions_done=False,
        topics_done=False,
        failed_at=None,
        message_id="",
        requeues=0,
    )
    _send_after_commit(upload.pk)
    upload.refresh_from_db()
    return upload


def upload_delete(*, upload: Upload) -> None:
    """Removes the file, every derived row and the cached text.

    The upload's row is locked first: a worker that is writing sections, topics or cards for it
    (each of those writes holds a key lock on the row until it commits) finishes before the rows
    are collected, and one that starts later finds the upload gone. Collecting first raced with
    them: a row inserted meanwhile broke the delete's foreign keys (500, the upload stayed)."""
    file_name, storage, upload_id = upload.file.name, upload.file.storage, upload.pk
    with transaction.atomic():
        locked = Upload.objects.select_for_update().filter(pk=upload_id).first()
        if locked is None:
            return  # deleted meanwhile
        locked.delete()
        transaction.on_commit(lambda: storage.delete(file_name))
    cache.delete(text_cache_key(upload_id))


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


# --- Stuck uploads (the requeue_stuck_uploads maintenance actor) --------------------------

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
    import dramatiq
    from django_dramatiq.models import Task

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


@transaction.atomic
def upload_requeue(*, upload: Upload) -> bool:
    """Sends the upload's unfinished work again (same run); False if its state moved meanwhile."""
    from learning.tasks import start_generation

    same_state = Upload.objects.filter(pk=upload.pk, run=upload.run, status=upload.status, requeues=upload.requeues)
    if upload.status == Status.GENERATING:
        changed = same_state.update(requeues=F("requeues") + 1, generating_at=timezone.now())
        stages = [s for s in GENERATION_STAGES if not getattr(upload, f"{s}_done")]
        run, generator = upload.run, upload.generator
        if changed and stages:
            transaction.on_commit(lambda: start_generation(upload.pk, run, generator, stages=stages))
        elif changed:  # every stage done, only the finish was lost
            from learning.services import upload_finish

            upload_finish(upload_id=upload.pk, run=run)
    else:
        changed = same_state.update(
            requeues=F("requeues") + 1, status=Status.QUEUED, message_id="", stage_message=STAGE_MESSAGES["queued"]
        )
        if changed:
            _send_after_commit(upload.pk)
    if changed:
        logger.warning("Upload %s was stuck in %s: sent again", upload.pk, upload.status)
    return bool(changed)


def upload_mark_failed(*, upload: Upload) -> bool:
    """Staff stop a stuck upload from the admin."""
    return upload_fail(upload_id=upload.pk, code="marked_failed", detail="marked failed by staff")


# --- Processing (the documents actor) ----------------------------------------------


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
    from uploads.extraction import extract
    from uploads.extraction.guard import run_guarded

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
    now = timezone.now()
    claimable = Q(status=Status.QUEUED)
    if message_id:
        claimable |= Q(status=Status.EXTRACTING, message_id=message_id)
    claimed = Upload.objects.filter(claimable, pk=upload_id).update(
        status=Status.EXTRACTING,
        extracting_at=now,
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
    from learning.tasks import start_generation

    try:
        cache_sections(upload_id, sections)
    except Exception:  # the stages read the database instead
        logger.warning("Upload %s: the sections were not cached", upload_id, exc_info=True)
    start_generation(upload_id, run, generator)


def _section_payload(section: Section) -> dict:
    return {
        "order": section.order,
        "text": section.text,
        "page": section.page,
        "heading_path": section.heading_path,
        "heading_level": section.heading_level,
    }


def cache_sections(upload_id: int, sections: list[Section]) -> None:
    payload = json.dumps([_section_payload(section) for section in sections])
    cache.set(text_cache_key(upload_id), payload, timeout=settings.EXTRACTED_TEXT_TTL_SECONDS)


def sections_load(upload_id: int) -> list[dict]:
    """The extracted sections: from the Redis cache, or the database on a miss."""
    cached = cache.get(text_cache_key(upload_id))
    if cached is not None:
        return json.loads(cached)
    sections = list(Section.objects.filter(upload_id=upload_id).order_by("order"))
    cache_sections(upload_id, sections)
    return [_section_payload(section) for section in sections]
