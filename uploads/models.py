"""Uploaded documents and the text extracted from them."""

from __future__ import annotations

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from uploads.errors import error_message, generator_note_message


class UploadQuerySet(models.QuerySet["Upload"]):
    def for_user(self, user: User) -> UploadQuerySet:
        return self.filter(owner=user)

    def ready(self) -> UploadQuerySet:
        return self.filter(status=Upload.Status.READY)


def upload_path(instance: Upload, filename: str) -> str:
    # Never the client's name on disk: it is shown, not trusted.
    return f"uploads/{instance.owner_id}/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()[:10]}"


class Generator(models.TextChoices):
    """Who made an upload's material."""

    OPENAI = "openai", _("AI (OpenAI)")
    OFFLINE = "offline", _("Offline generator")


class GeneratorRequest(models.TextChoices):
    """What a student may ask for at upload or reprocess (services.generator_choose decides)."""

    AUTO = "auto", _("AI when available, else the offline generator")
    AI = "ai", _("AI (OpenAI)")
    OFFLINE = "offline", _("The offline generator")


class Upload(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        EXTRACTING = "extracting", _("Reading the document")
        GENERATING = "generating", _("Creating study material")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    class Kind(models.TextChoices):
        PDF = "pdf", "PDF"
        DOCX = "docx", _("Word document")
        PPTX = "pptx", _("PowerPoint presentation")
        TXT = "txt", _("Text")
        MD = "md", "Markdown"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="uploads")
    title = models.CharField(_("title"), max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    file = models.FileField(upload_to=upload_path, max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.BigIntegerField(_("size in bytes"))
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    page_count = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    image_only_pages = models.PositiveIntegerField(default=0)
    language = models.CharField(_("language"), max_length=8, blank=True)

    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    stage_message = models.CharField(max_length=200, blank=True)
    error_code = models.CharField(max_length=64, blank=True)
    error_detail = models.TextField(blank=True, help_text="For staff: what exactly went wrong.")
    # Incremented by every (re)processing; actors of an older run leave the upload alone.
    run = models.PositiveIntegerField(default=1)
    # The Dramatiq message that claimed the extraction: its redelivery after a worker's death may resume it.
    message_id = models.CharField(max_length=36, blank=True)
    # How often requeue_stuck_uploads sent this run's work again (once, then the upload fails).
    requeues = models.PositiveSmallIntegerField(default=0)
    flashcards_done = models.BooleanField(default=False)
    questions_done = models.BooleanField(default=False)
    topics_done = models.BooleanField(default=False)

    flashcard_count = models.PositiveIntegerField(default=0)
    question_count = models.PositiveIntegerField(default=0)
    topic_count = models.PositiveIntegerField(default=0)
    items_dropped = models.PositiveIntegerField(default=0)
    # Which generator this run uses, and why not the AI one when a key is configured.
    generator = models.CharField(_("generator"), max_length=16, choices=Generator.choices, blank=True)
    generator_note = models.CharField(max_length=32, blank=True)
    # AI cost over all runs, for staff; chunks_failed counts this run's parts the AI gave nothing for.
    ai_requests = models.PositiveIntegerField(_("AI requests"), default=0)
    ai_tokens_in = models.PositiveIntegerField(_("AI tokens in"), default=0)
    ai_tokens_out = models.PositiveIntegerField(_("AI tokens out"), default=0)
    ai_cached_answers = models.PositiveIntegerField(_("AI answers from cache"), default=0)
    chunks_failed = models.PositiveIntegerField(default=0)

    created_at = models.DateTimeField(auto_now_add=True)
    extracting_at = models.DateTimeField(null=True, blank=True)
    generating_at = models.DateTimeField(null=True, blank=True)
    ready_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = UploadQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("upload")
        verbose_name_plural = _("uploads")
        constraints = [models.UniqueConstraint(fields=["owner", "sha256"], name="uploads_one_per_owner_and_content")]
        indexes = [models.Index(fields=["status", "updated_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_processing(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.EXTRACTING, self.Status.GENERATING)

    @property
    def error_message(self) -> str:
        """The failure in the reader's language (the code is stored, the text translated on display)."""

        return error_message(self.error_code) if self.error_code else ""

    @property
    def generator_message(self) -> str:
        """Why the offline generator made this document's material although AI is configured."""

        return generator_note_message(self.generator_note)

    @property
    def warning_message(self) -> str:
        """Material is there, but parts of the document are missing from it."""
        from django.utils.translation import ngettext

        if not self.chunks_failed:
            return ""
        return ngettext(
            "%(count)d part of this document could not be turned into study material by the AI service. "
            "Reprocess it to try again.",
            "%(count)d parts of this document could not be turned into study material by the AI service. "
            "Reprocess it to try again.",
            self.chunks_failed,
        ) % {"count": self.chunks_failed}


class Section(models.Model):
    """One piece of extracted text in reading order, with where it comes from."""

    upload = models.ForeignKey(Upload, on_delete=models.CASCADE, related_name="sections")
    order = models.PositiveIntegerField()
    # PDF page or slide number; documents without pages (DOCX, text) have none.
    page = models.PositiveIntegerField(null=True, blank=True)
    heading_path = models.CharField(max_length=500, blank=True)
    heading_level = models.PositiveSmallIntegerField(default=0, help_text="0 for body text, 1-6 for headings")
    paragraph_index = models.PositiveIntegerField(null=True, blank=True)
    text = models.TextField()

    class Meta:
        ordering = ["upload", "order"]
        constraints = [models.UniqueConstraint(fields=["upload", "order"], name="uploads_section_order_unique")]

    def __str__(self) -> str:
        return f"{self.upload_id}#{self.order}"
