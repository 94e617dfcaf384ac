"""PDF with PyMuPDF: text per page in reading order; headings from the outline or font size."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pymupdf

from core.errors import PermanentError
from uploads.extraction.document import ExtractedDocument, ExtractedSection, clean_text, join_lines, join_path, one_line

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


_NUMBERED = re.compile(r"^\s*\d{1,4}\s+\S|\S\s+\d{1,4}\s*$")
NUMBERED_HEADER_PAGES = 3


def _signature(text: str) -> str:
    """The text without page numbers, to compare across pages; empty for text too long to repeat.
    A line that carries a page number at its start or end is marked ("#"): a chapter's running
    header ("ABSCHÄTZUNGEN UND NÄHERUNGEN 19") repeats on that chapter's pages only."""
    if len(text) > MAX_RUNNING_CHARS:
        return ""
    signature = _DIGITS_AND_SPACES.sub(" ", text.casefold()).strip()
    return signature + "#" if signature and _NUMBERED.search(text) else signature


def _running_lines(signatures: list[list[str]]) -> set[str]:
    """Running headers and footers: the same text (page numbers aside) on many pages, or a
    numbered line first or last on a few."""
    if len(signatures) < 4:
        return set()
    counts: Counter[str] = Counter()
    edges: Counter[str] = Counter()
    for units in signatures:
        counts.update(set(units))
        edges.update({sig for sig in units[:1] + units[-1:] if sig.endswith("#")})
    running = {sig for sig, count in counts.items() if sig and count >= max(3, 0.4 * len(signatures))}
    return running | {sig for sig, count in edges.items() if count >= NUMBERED_HEADER_PAGES}


def _page_blocks(page: pymupdf.Page) -> list[str]:
    return [clean_text(block[4]) for block in page.get_text("blocks") if block[6] == 0 and block[4].strip()]


def _body_text(blocks: list[str]) -> str:
    return "\n".join(join_lines(block.split("\n")) for block in blocks if block)


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


SPACE_GAP = 0.15  # of the font size: a gap this wide between two spans is a space
_SUPERSCRIPT = 1  # span flag


def _line_text(spans: list[dict]) -> str:
    """A line's spans joined as the reader sees them. Beamer and other TeX output often set the
    space between words as a span of its own, or as a gap with no space character at all: both
    become one space ("Wie Attribute wählen?", not "WieAttributewählen?"). Superscript digits
    are footnote markers and are left out."""
    parts: list[str] = []
    previous: dict | None = None
    for span in spans:
        text = span["text"]
        if span["flags"] & _SUPERSCRIPT and text.strip().isdigit():
            continue
        if previous is not None and text[:1] and not text[0].isspace() and parts and not parts[-1][-1:].isspace():
            gap = span["bbox"][0] - previous["bbox"][2]
            if gap > SPACE_GAP * min(span["size"], previous["size"]):
                parts.append(" ")
        parts.append(text)
        previous = span
    return clean_text("".join(parts))


def _lines_with_sizes(page: pymupdf.Page) -> list[list[tuple[str, float]]]:
    """Each text block's lines with their largest font size."""
    blocks = []
    for block in page.get_text("dict", flags=_DICT_FLAGS)["blocks"]:
        lines = []
        for line in block.get("lines", []):
            spans = line["spans"]
            sizes = [span["size"] for span in spans if span["text"].strip()]
            text = _line_text(spans) if sizes else ""
            if text:
                lines.append((text, round(max(sizes), 1)))
        if lines:
            blocks.append(lines)
    return blocks


def _sections_from_font_sizes(document: pymupdf.Document) -> tuple[list[ExtractedSection], int]:
    pages: list[list[list[tuple[str, float]]]] = []
    image_only = 0
    for page in document:  # each page is loaded once
        blocks = _lines_with_sizes(page)
        image_only += _is_image_only(page, " ".join(t for lines in blocks for t, _s in lines))
        pages.append(blocks)
    signatures = [[_signature(text) for lines in blocks for text, _size in lines] for blocks in pages]
    running = _running_lines(signatures)
    weights: Counter[float] = Counter()
    for blocks in pages:
        for lines in blocks:
            for text, size in lines:
                weights[size] += len(text)
    body_size = weights.most_common(1)[0][0] if weights else 10.0
    heading_sizes = sorted(
        {s for blocks in pages for lines in blocks for t, s in lines if s >= body_size * HEADING_SIZE_FACTOR},
        reverse=True,
    )
    level_of = {size: min(index + 1, 3) for index, size in enumerate(heading_sizes)}
    sections: list[ExtractedSection] = []
    path: list[str] = []
    for number, blocks in enumerate(pages, start=1):
        paragraphs: list[str] = []
        for lines in blocks:
            body: list[str] = []
            heading_open = False  # the block's previous line was a heading
            for text, size in lines:
                if _signature(text) in running:
                    continue
                level = level_of.get(size)
                if level and len(text) <= MAX_HEADING_CHARS and _heading_like(text):
                    previous = sections[-1] if sections and not body and not paragraphs else None
                    if previous and previous.heading_level == level and previous.page == number and heading_open:
                        # A title set over two lines is one heading ("… reguläre Spra-" + "chen").
                        previous.text = join_lines([previous.text, text])
                        path = [*path[: level - 1], previous.text]
                        previous.heading_path = join_path(path)
                        continue
                    if body:
                        paragraphs.append(join_lines(body))
                        body = []
                    if paragraphs:
                        sections.append(ExtractedSection("\n".join(paragraphs), number, join_path(path)))
                        paragraphs = []
                    path = [*path[: level - 1], text]
                    sections.append(ExtractedSection(text, number, join_path(path), level))
                    heading_open = True
                else:
                    body.append(text)
                    heading_open = False
            if body:
                paragraphs.append(join_lines(body))
        if paragraphs:
            sections.append(ExtractedSection("\n".join(paragraphs), number, join_path(path)))
    return sections, image_only


def _heading_like(text: str) -> bool:
    """Large type that is a title: mostly letters, never a formula line."""
    letters = sum(ch.isalpha() for ch in text)
    return letters >= 3 and letters >= 0.6 * len(text.replace(" ", ""))


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
