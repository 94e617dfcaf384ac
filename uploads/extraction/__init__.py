"""Text extraction, one module per format, run in a guarded child process (guard.py)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

MIN_TEXT_CHARS = 200
PATH_SEPARATOR = " › "


def join_path(parts: list[str]) -> str:
    return PATH_SEPARATOR.join(parts)


@dataclass
class ExtractedSection:
    text: str
    page: int | None = None
    heading_path: str = ""
    heading_level: int = 0
    paragraph_index: int | None = None


@dataclass
class ExtractedDocument:
    sections: list[ExtractedSection] = field(default_factory=list)
    page_count: int | None = None
    title: str = ""
    image_only_pages: int = 0

    @property
    def text_chars(self) -> int:
        return sum(len(s.text) for s in self.sections)


# A run of spaces, tabs and no-break spaces becomes one space; a lone space is left as it is.
_SPACES = re.compile(r"[ \t\u00a0]{2,}|[\t\u00a0]")
_HYPHEN_BREAK = re.compile(r"(\w)-\n(\w)")


def clean_text(text: str) -> str:
    """NFKC (ligatures, odd spaces), joined hyphenated line breaks, single spaces, no control chars."""
    text = unicodedata.normalize("NFKC", text)
    if "-\n" in text:
        text = _HYPHEN_BREAK.sub(r"\1\2", text)
    # Each distinct character is looked up once (a script has a few hundred), not every character.
    controls = {ch for ch in set(text) if ch not in "\n\t" and unicodedata.category(ch)[0] == "C"}
    if controls:
        text = text.translate(dict.fromkeys(map(ord, controls)))
    return _SPACES.sub(" ", text).strip()


def one_line(text: str) -> str:
    return _SPACES.sub(" ", clean_text(text).replace("\n", " ")).strip()


def extract(path: str, kind: str, max_pages: int) -> ExtractedDocument:
    """Runs in the child process: the right extractor for the kind, then the common checks."""
    from uploads.errors import PermanentError
    from uploads.extraction import docx, pdf, pptx, text

    extractors = {
        "pdf": pdf.extract_pdf,
        "docx": docx.extract_docx,
        "pptx": pptx.extract_pptx,
        "txt": text.extract_text,
        "md": text.extract_markdown,
    }
    document = extractors[kind](path, max_pages=max_pages)
    if document.page_count and document.page_count > max_pages:
        raise PermanentError("too_many_pages", f"{document.page_count} > {max_pages}")
    if document.text_chars < MIN_TEXT_CHARS:
        if kind == "pdf" and document.page_count and document.image_only_pages * 2 >= document.page_count:
            raise PermanentError("pdf_no_text_layer", f"{document.image_only_pages} image-only pages")
        raise PermanentError("no_readable_text", f"{document.text_chars} characters")
    return document


_WARM_UP_TEXT = "Warm-up. A queue is a line of jobs waiting for a server. " * 8


def warm_up(directory: str) -> None:
    """Extracts a tiny PDF, DOCX and PPTX in this process. Each upload is extracted in a child
    forked from the worker; state the extractors build on first use (PyMuPDF's tables, compiled
    patterns, python-docx's and python-pptx's parts) is then inherited, not rebuilt and thrown
    away by every child (about 9 ms of a small document's extraction, `make bench`)."""
    import os
    import tempfile

    import docx
    import pptx
    import pymupdf

    with tempfile.TemporaryDirectory(dir=directory) as folder:
        pdf_path, docx_path, pptx_path = (os.path.join(folder, f"warm.{kind}") for kind in ("pdf", "docx", "pptx"))
        with pymupdf.open() as pdf:
            pdf.new_page().insert_textbox(pymupdf.Rect(50, 50, 550, 800), _WARM_UP_TEXT, fontsize=11)
            pdf.save(pdf_path)
        document = docx.Document()
        document.add_heading("Warm-up", level=1)
        document.add_paragraph(_WARM_UP_TEXT)
        document.save(docx_path)
        presentation = pptx.Presentation()
        slide = presentation.slides.add_slide(presentation.slide_layouts[1])
        slide.shapes.title.text = "Warm-up"
        slide.placeholders[1].text = _WARM_UP_TEXT
        presentation.save(pptx_path)
        for path, kind in ((pdf_path, "pdf"), (docx_path, "docx"), (pptx_path, "pptx")):
            extract(path, kind, 10)
