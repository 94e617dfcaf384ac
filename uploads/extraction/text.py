"""Plain text and Markdown: UTF-8 (falling back to cp1252, then latin-1); # headings make sections."""

from __future__ import annotations

import codecs
import re

from uploads.extraction.document import ExtractedDocument, ExtractedSection, join_path, one_line

_MD_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
MAX_TEXT_BYTES = 20 * 1024 * 1024


# Windows Notepad's "Unicode" is UTF-16 with a byte order mark; the mark names the encoding.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE, whose mark it starts with
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def unicode_bom_encoding(data: bytes) -> str:
    return next((encoding for bom, encoding in _BOMS if data.startswith(bom)), "")


def decode(data: bytes) -> str:
    if encoding := unicode_bom_encoding(data):
        return data.decode(encoding, errors="replace")  # a cut-off last character becomes U+FFFD
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _read(path: str) -> str:
    with open(path, "rb") as handle:
        return decode(handle.read(MAX_TEXT_BYTES)).replace("\r\n", "\n").replace("\r", "\n")


def _paragraphs(text: str) -> list[str]:
    return [one_line(block) for block in re.split(r"\n\s*\n", text) if block.strip()]


def extract_text(path: str, *, max_pages: int) -> ExtractedDocument:
    paragraphs = _paragraphs(_read(path))
    sections = [ExtractedSection(text, None, "", 0, index) for index, text in enumerate(paragraphs)]
    return ExtractedDocument(sections, None, "")


def extract_markdown(path: str, *, max_pages: int) -> ExtractedDocument:
    sections: list[ExtractedSection] = []
    path_parts: list[str] = []
    body: list[str] = []
    index = 0

    def flush() -> None:
        nonlocal index
        for paragraph in _paragraphs("\n".join(body)):
            sections.append(ExtractedSection(paragraph, None, join_path(path_parts), 0, index))
            index += 1
        body.clear()

    for line in _read(path).split("\n"):
        match = _MD_HEADING.match(line)
        if match:
            flush()
            level, title = len(match.group(1)), one_line(match.group(2))
            path_parts = [*path_parts[: level - 1], title]
            sections.append(ExtractedSection(title, None, join_path(path_parts), level, index))
            index += 1
        else:
            body.append(line)
    flush()
    first_heading = next((s.text for s in sections if s.heading_level == 1), "")
    return ExtractedDocument(sections, None, first_heading)
