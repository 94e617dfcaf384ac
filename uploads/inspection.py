"""Cheap facts about a file at upload time (pages, title), without trusting the file.

PDFs are opened by PyMuPDF in a guarded child process, so a hostile file cannot take the web
process down; DOCX and PPTX facts come from their ZIP directory and core properties.
"""

from __future__ import annotations

import re
import zipfile
from typing import IO

from core.errors import PermanentError
from core.worker.guard import ChildStopped, run_guarded
from uploads.extraction.zipcheck import core_title

_SLIDE = re.compile(r"^ppt/slides/slide\d+\.xml$")


def _pdf_facts(path: str) -> tuple[int | None, str]:
    # In the guarded child only: the web process never loads PyMuPDF.
    from uploads.extraction.pdf import pdf_facts

    return pdf_facts(path)


def inspect_file(kind: str, handle: IO[bytes], path: str | None) -> tuple[int | None, str]:
    """(pages or None when unknown, metadata title or "")."""
    if kind == "pdf" and path:
        try:
            return run_guarded(_pdf_facts, path, timeout=15, memory_mb=512)
        except (PermanentError, ChildStopped):
            return None, ""  # unreadable: the worker fails it with the precise message
    if kind in ("docx", "pptx"):
        handle.seek(0)
        with zipfile.ZipFile(handle) as archive:
            names = archive.namelist()
            title = core_title(archive)
        handle.seek(0)
        pages = sum(1 for name in names if _SLIDE.match(name)) if kind == "pptx" else None
        return pages, title
    return None, ""
