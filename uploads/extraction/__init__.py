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


# A bullet opens a new line: "• a • b" on one slide line is two statements, not one sentence.
_BULLET = re.compile(r"\s*[\u2022\u25cf\u25aa\u25e6\u2023\u25a0\u25a1\u25ba\u25b8\u27a2\u2713\uf0b7\uf0a7]\s*")
_LINE_BULLET = re.compile(r"^\s*(?:[-\u2013\u2014*]|\d{1,2}[.)]|[a-z][.)])\s+")


def join_lines(lines: list[str]) -> str:
    """A paragraph's lines as running text: a PDF line break is no sentence end. Hyphenation at
    a line end is undone ("Warte-" + "schlange"), a bullet starts a line of its own."""
    out = ""
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        bullet = _LINE_BULLET.match(line) is not None or _BULLET.match(line) is not None
        if not out:
            out = line
        elif bullet:
            out += "\n" + line
        elif out[-1] == "-" and len(out) > 1 and out[-2].isalpha() and line[:1].islower():
            out = out[:-1] + line
        else:
            out += " " + line
    return split_bullets(out)


def split_bullets(text: str) -> str:
    """Every bullet sign becomes a line break (and is dropped): each item is a statement of its own."""
    if not _BULLET.search(text):
        return text
    lines = (part.strip() for line in text.split("\n") for part in _BULLET.split(line))
    return "\n".join(line for line in lines if line)


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
