"""Text extraction, one module per format, run in a guarded child process (guard.py)."""

from __future__ import annotations

from core.errors import PermanentError
from uploads.extraction.document import (
    MIN_TEXT_CHARS,
    ExtractedDocument,
    ExtractedSection,
    clean_text,
    join_lines,
    join_path,
    one_line,
    split_bullets,
)

__all__ = [
    "MIN_TEXT_CHARS",
    "ExtractedDocument",
    "ExtractedSection",
    "clean_text",
    "extract",
    "join_lines",
    "join_path",
    "one_line",
    "split_bullets",
]


def extract(path: str, kind: str, max_pages: int) -> ExtractedDocument:
    """Runs in the child process: the right extractor for the kind, then the common checks."""
    # Here, not at the top: the web process imports this package for the document's types and
    # never extracts, so PyMuPDF, python-pptx and lxml stay out of it.
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
