"""Why an upload was refused or failed: stable codes, messages in the reader's language."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# Stored on the upload as error_code; translated when shown.
FAILURE_MESSAGES = {
    "pdf_encrypted": gettext_lazy("This PDF is password protected. Remove the password and upload it again."),
    "pdf_no_text_layer": gettext_lazy(
        "This PDF has no text layer (scanned?). Run it through OCR first, then upload it again."
    ),
    "pdf_unreadable": gettext_lazy("This file is not a readable PDF."),
    "docx_unreadable": gettext_lazy("This file is not a readable Word document."),
    "pptx_unreadable": gettext_lazy("This file is not a readable PowerPoint presentation."),
    "no_readable_text": gettext_lazy("We found no readable text in this document."),
    "zip_bomb": gettext_lazy(
        "This document unpacks to far more data than a real document would, so we did not open it."
    ),
    "extraction_too_big": gettext_lazy("This document needs more memory to read than we allow."),
    "document_too_big": gettext_lazy(
        "This document holds more text and markup than we can read at once. Split it into smaller parts."
    ),
    "extraction_timeout": gettext_lazy("Reading this document took too long."),
    "extraction_crashed": gettext_lazy("The document reader crashed on this file."),
    "too_many_pages": gettext_lazy("This document has too many pages."),
    "generation_failed": gettext_lazy("Creating the study material failed. Please try again later."),
    "ai_auth": gettext_lazy(
        "The AI service did not accept our credentials. Reprocess the document later, or with the offline generator."
    ),
    "ai_quota": gettext_lazy(
        "The AI service's quota is used up. Reprocess the document later, or with the offline generator."
    ),
    "ai_rejected": gettext_lazy("The AI service rejected this document. Reprocess it with the offline generator."),
    "ai_unavailable": gettext_lazy(
        "The AI service did not answer. Reprocess the document later, or with the offline generator."
    ),
    "processing_failed": gettext_lazy("Processing failed. Please try again later."),
    "marked_failed": gettext_lazy("Processing was stopped by our staff."),
    "processing_stuck": gettext_lazy("Processing this document stalled and was stopped. Please try again."),
}


GENERATOR_NOTES = {
    "ai_budget_spent": gettext_lazy(
        "Your monthly AI allowance is used up, so the offline generator made this material. "
        "The allowance renews on the first of the month."
    ),
    "nothing_to_learn": gettext_lazy(
        "We found no sentence in this document that makes a good flashcard or question: it holds "
        "mostly formulas, lists, links or instructions rather than statements to learn."
    ),
    "little_to_learn": gettext_lazy(
        "Only a few sentences in this document make good flashcards or quiz questions: it holds "
        "mostly formulas, lists, links or instructions rather than statements to learn."
    ),
}


def generator_note_message(code: str) -> str:
    return str(GENERATOR_NOTES[code]) if code in GENERATOR_NOTES else ""


def ai_budget_spent() -> UploadRejected:
    return UploadRejected(
        _("Your monthly AI allowance is used up. Choose the offline generator, or wait for the first of the month."),
        code="ai_budget_spent",
        status_code=403,
    )


def ai_not_configured() -> UploadRejected:
    return UploadRejected(
        _("AI generation is not available on this server. Choose the offline generator."),
        code="ai_unavailable",
    )


def error_message(code: str) -> str:
    return str(FAILURE_MESSAGES.get(code, FAILURE_MESSAGES["processing_failed"]))


class UploadRejected(ValidationError):
    """Refused at upload, nothing stored; the API answers with `status_code` and `code`."""

    def __init__(self, message: str, *, code: str, status_code: int = 400) -> None:
        super().__init__({"file": [ValidationError(message, code=code)]})
        self.rejection_code = code
        self.status_code = status_code


def too_large(limit_mb: int) -> UploadRejected:
    return UploadRejected(
        _("The file is larger than %(limit)d MB.") % {"limit": limit_mb}, code="file_too_large", status_code=413
    )
