"""PDF with PyMuPDF: text per page in reading order; headings from the outline or font size."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pymupdf

from uploads.errors import PermanentError
from uploads.extraction import ExtractedDocument, ExtractedSection, clean_text, join_path, one_line

HEADING_SIZE_FACTOR = 1.15
MAX_HEADING_CHARS = 100


def open_pdf(path: str) -> pymupdf.Document:
    with open(path, "rb") as handle:
        if b"%PDF-" not in handle.read(1024):
            raise PermanentError("pdf_unreadable", "no %PDF- header")
    try:
        document = pymupdf.open(path, filetype="pdf")
    except Exception as exc:
        raise PermanentError("pdf_unreadable", f"{type(exc).__name__}: {exc}") from exc
    # MuPDF opens many non-PDF files when told the type; trust only a real PDF.
    if not document.is_pdf:
        raise PermanentError("pdf_unreadable", "not a PDF after opening")
    return document


def pdf_facts(path: str) -> tuple[int | None, str]:
    """Page count and metadata title, for the upload form; None pages when encrypted."""
    document = open_pdf(path)
    if document.needs_pass:
        return None, ""
    return document.page_count, one_line((document.metadata or {}).get("title") or "")


_DIGITS_AND_SPACES = re.compile(r"[\d\s]+")
MAX_RUNNING_CHARS = 200  # a running header or footer is a line or two; longer text is never one


def _signature(text: str) -> str:
    """The text without page numbers, to compare across pages; empty for text too long to repeat."""
    if len(text) > MAX_RUNNING_CHARS:
        return ""
    return _DIGITS_AND_SPACES.sub(" ", text.casefold()).strip()


def _running_lines(signatures: list[list[str]]) -> set[str]:
    """Running headers and footers: the same text (page numbers aside) on many pages."""
    if len(signatures) < 4:
        return set()
    counts: Counter[str] = Counter()
    for units in signatures:
        counts.update(set(units))
    return {sig for sig, count in counts.items() if sig and count >= max(3, 0.4 * len(signatures))}


def _page_blocks(page: pymupdf.Page) -> list[str]:
    return [clean_text(block[4]) for block in page.get_text("blocks") if block[6] == 0 and block[4].strip()]


def _body_text(blocks: list[str]) -> str:
    return "\n".join(" ".join(block.split("\n")) for block in blocks if block)


def _is_image_only(page: pymupdf.Page, text: str) -> bool:
    return len(text.strip()) < 5 and bool(page.get_images(full=False))


def _sections_from_outline(document: pymupdf.Document, toc: list[list[Any]]) -> tuple[list[ExtractedSection], int]:
    by_page: dict[int, list[tuple[int, str]]] = {}
    for level, raw_title, page_number in toc:
        title = one_line(raw_title)
        if page_number >= 1 and title:
            by_page.setdefault(page_number, []).append((level, title))
    pages: list[list[str]] = []
    image_only = 0
    for page in document:  # each page is loaded once
        blocks = _page_blocks(page)
        image_only += _is_image_only(page, _body_text(blocks))
        pages.append(blocks)
    signatures = [[_signature(block) for block in blocks] for blocks in pages]
    running = _running_lines(signatures)
    sections: list[ExtractedSection] = []
    path: list[str] = []
    for number, (blocks, signed) in enumerate(zip(pages, signatures, strict=True), start=1):
        for level, title in by_page.get(number, []):
            path = [*path[: level - 1], title]
            sections.append(ExtractedSection(title, number, join_path(path), min(level, 6)))
        text = _body_text([block for block, sig in zip(blocks, signed, strict=True) if sig not in running])
        if text:
            sections.append(ExtractedSection(text, number, join_path(path)))
    return sections, image_only


# Text only: with images the dict carries every picture's bytes (up to 8× slower on illustrated pages).
_DICT_FLAGS = pymupdf.TEXTFLAGS_DICT & ~pymupdf.TEXT_PRESERVE_IMAGES


def _lines_with_sizes(page: pymupdf.Page) -> list[tuple[str, float]]:
    lines = []
    for block in page.get_text("dict", flags=_DICT_FLAGS)["blocks"]:
        for line in block.get("lines", []):
            spans = [span for span in line["spans"] if span["text"].strip()]
            if spans:
                text = clean_text("".join(span["text"] for span in spans))
                lines.append((text, max(round(span["size"], 1) for span in spans)))
    return lines


def _sections_from_font_sizes(document: pymupdf.Document) -> tuple[list[ExtractedSection], int]:
    pages: list[list[tuple[str, float]]] = []
    image_only = 0
    for page in document:  # each page is loaded once
        lines = _lines_with_sizes(page)
        image_only += _is_image_only(page, " ".join(t for t, _s in lines))
        pages.append(lines)
    signatures = [[_signature(text) for text, _size in lines] for lines in pages]
    running = _running_lines(signatures)
    weights: Counter[float] = Counter()
    for lines in pages:
        for text, size in lines:
            weights[size] += len(text)
    body_size = weights.most_common(1)[0][0] if weights else 10.0
    heading_sizes = sorted(
        {s for lines in pages for t, s in lines if s >= body_size * HEADING_SIZE_FACTOR}, reverse=True
    )
    level_of = {size: min(index + 1, 3) for index, size in enumerate(heading_sizes)}
    sections: list[ExtractedSection] = []
    path: list[str] = []
    for number, (lines, signed) in enumerate(zip(pages, signatures, strict=True), start=1):
        body: list[str] = []
        for (text, size), sig in zip(lines, signed, strict=True):
            if sig in running:
                continue
            level = level_of.get(size)
            if level and len(text) <= MAX_HEADING_CHARS and any(ch.isalpha() for ch in text):
                if body:
                    sections.append(ExtractedSection(" ".join(body), number, join_path(path)))
                    body = []
                path = [*path[: level - 1], text]
                sections.append(ExtractedSection(text, number, join_path(path), level))
            else:
                body.append(text)
        if body:
            sections.append(ExtractedSection(" ".join(body), number, join_path(path)))
    return sections, image_only


def extract_pdf(path: str, *, max_pages: int) -> ExtractedDocument:
    document = open_pdf(path)
    if document.needs_pass:
        raise PermanentError("pdf_encrypted")
    if document.page_count > max_pages:
        raise PermanentError("too_many_pages", f"{document.page_count} > {max_pages}")
    toc = document.get_toc(simple=True)
    if toc:
        sections, image_only = _sections_from_outline(document, toc)
    else:
        sections, image_only = _sections_from_font_sizes(document)
    title = one_line((document.metadata or {}).get("title") or "")
    return ExtractedDocument(sections, document.page_count, title, image_only)
