"""What a file is, decided by its content: never by its name or the client's content type."""

from __future__ import annotations

import re
from pathlib import PurePath
from typing import IO

from django.utils.translation import gettext as _

from core.errors import PermanentError
from uploads.errors import UploadRejected, error_message
from uploads.extraction.text import decode, unicode_bom_encoding
from uploads.extraction.zipcheck import MAIN_PARTS, check_zip

EXTENSIONS = {".pdf": "pdf", ".docx": "docx", ".pptx": "pptx", ".txt": "txt", ".md": "md", ".markdown": "md"}
_MARKDOWN = re.compile(rb"^(#{1,6} \S|[-*] \S|```)", re.MULTILINE)
SNIFF_BYTES = 64 * 1024


def kind_names() -> dict[str, str]:
    return {
        "pdf": _("a PDF"),
        "docx": _("a Word document (DOCX)"),
        "pptx": _("a PowerPoint presentation (PPTX)"),
        "txt": _("a text file"),
        "md": _("a Markdown file"),
    }


def unsupported() -> UploadRejected:
    return UploadRejected(
        _("This file type is not supported. Upload a PDF, DOCX, PPTX, TXT or Markdown file."),
        code="unsupported_file_type",
        status_code=415,
    )


def damaged() -> UploadRejected:
    return UploadRejected(
        _("This file is damaged, perhaps cut off while it was copied or downloaded. Save or download it again."),
        code="file_damaged",
    )


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head and not unicode_bom_encoding(head):
        return False
    text = decode(head)
    printable = sum(ch.isprintable() or ch in "\n\r\t" for ch in text)
    return bool(text.strip()) and printable >= 0.95 * len(text)


def sniff_kind(handle: IO[bytes]) -> str:
    handle.seek(0)
    head = handle.read(SNIFF_BYTES)
    handle.seek(0)
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        try:
            names = set(check_zip(handle))
        except PermanentError as exc:
            if exc.code == "zip_bomb":
                raise UploadRejected(
                    _("This file unpacks to far more data than a real document would; we refused it."),
                    code="zip_bomb",
                ) from exc
            if exc.code == "document_too_big":
                raise UploadRejected(
                    str(error_message("document_too_big")),
                    code="document_too_big",
                    status_code=413,
                ) from exc
            raise damaged() from exc
        finally:
            handle.seek(0)
        kind = next((kind for kind, part in MAIN_PARTS.items() if part in names), None)
        if kind is None:
            raise unsupported()
        return kind
    if _looks_like_text(head):
        return "md" if _MARKDOWN.search(head) else "txt"
    raise unsupported()


def detect_kind(handle: IO[bytes], name: str) -> str:
    """The kind by content; a name that claims another kind is refused."""
    kind = sniff_kind(handle)
    claimed = EXTENSIONS.get(PurePath(name).suffix.lower())
    text_kinds = {"txt", "md"}
    if claimed and claimed != kind and not (claimed in text_kinds and kind in text_kinds):
        names = kind_names()
        raise UploadRejected(
            _("The file name says %(claimed)s, but the content is %(actual)s. Did you pick the right file?")
            % {"claimed": names[claimed], "actual": names[kind]},
            code="file_type_mismatch",
            status_code=415,
        )
    if claimed in text_kinds and kind in text_kinds:
        return claimed
    return kind
