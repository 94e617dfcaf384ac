"""Intake: a file becomes an upload (checked by content, within the limits and the quota), is run
again, or is deleted with everything made from it."""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import PurePath

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import User
from core.rates import rate_allows
from learning.generation import ai_available
from learning.selectors import ai_budget_spent
from uploads import errors
from uploads.detection import detect_kind
from uploads.errors import UploadRejected, too_large
from uploads.inspection import inspect_file
from uploads.models import Generator, GeneratorRequest, Upload
from uploads.services.processing import CHUNK, STAGE_MESSAGES, upload_restart, upload_send
from uploads.services.sections import sections_forget


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


def generator_choose(*, owner: User, requested: str = "") -> tuple[str, str]:
    """(generator, note): AI when configured and the owner's monthly budget allows, else offline.

    Asking for "ai" explicitly is refused when it cannot be had; "auto" falls back with a note.
    """
    if requested == GeneratorRequest.OFFLINE:
        return Generator.OFFLINE, ""
    if not ai_available():
        if requested == GeneratorRequest.AI:
            raise errors.ai_not_configured()
        return Generator.OFFLINE, ""
    if ai_budget_spent(owner):
        if requested == GeneratorRequest.AI:
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
        size=file.size or 0,
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
            upload_send(upload.id)
    except UploadRejected:
        upload.file.delete(save=False)  # over the quota after all: nothing stored
        raise
    except IntegrityError:
        upload.file.delete(save=False)  # the same bytes won a race: keep the first
        return Upload.objects.for_user(owner).get(sha256=sha256), False
    return upload, True


@transaction.atomic
def upload_reprocess(*, upload: Upload, generator: str = "") -> Upload:
    """Back to the queue; the new run replaces the generated items as each stage finishes."""
    if upload.is_processing:
        raise UploadRejected(_("This document is still being processed."), code="still_processing", status_code=409)
    _check_rate(upload.owner)  # each run costs what an upload costs
    chosen, note = generator_choose(owner=upload.owner, requested=generator)
    upload_restart(upload_id=upload.pk, generator=chosen, note=note)
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
    sections_forget(upload_id)
