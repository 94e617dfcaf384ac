"""DOCX: headings (styles, or bold short lines), paragraphs, lists, tables, read as a stream.

The document's XML is parsed with lxml's `iterparse` and each top-level paragraph or table is
cleared once read, so memory stays flat however long the document is (python-docx held the whole
tree: about four bytes per byte of XML, 966 MB for a 262 MB document). At most
EXTRACTION_MAX_CHARS characters are taken. The result is what python-docx gave: the body's
paragraphs and tables in order, `Paragraph.text` (runs and hyperlinks), `row.cells` (a merged cell
once per grid column it spans, a vertically merged cell's text in each row it covers).
"""

from __future__ import annotations

import re
import zipfile

from django.conf import settings
from lxml import etree

from core.errors import PermanentError
from uploads.extraction.document import ExtractedDocument, ExtractedSection, join_path, one_line
from uploads.extraction.zipcheck import check_zip, core_title

_HEADING_STYLE = re.compile(r"^(?:heading|überschrift|titel|title)\s*(\d)?", re.IGNORECASE)
MAX_BOLD_HEADING_CHARS = 80
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def open_checked(path: str, main_part: str, unreadable: str) -> list[str]:
    try:
        names = check_zip(path)
    except PermanentError as exc:
        raise PermanentError(
            exc.code if exc.code in ("zip_bomb", "document_too_big") else unreadable, exc.detail
        ) from exc
    if main_part not in names:
        raise PermanentError(unreadable, f"no {main_part}")
    return names


def _style_level(name: str) -> int:
    match = _HEADING_STYLE.match(name)
    if not match:
        return 0
    return int(match.group(1)) if match.group(1) else 1


def _style_names(archive: zipfile.ZipFile) -> tuple[dict[str, str], str]:
    """Paragraph style id -> name, and the default paragraph style's name (styles.xml is small)."""
    try:
        root = etree.fromstring(archive.read("word/styles.xml"), parser=_PARSER)
    except (KeyError, etree.XMLSyntaxError):
        return {}, ""
    names, default = {}, ""
    for style in root.iter(f"{W}style"):
        if style.get(f"{W}type") != "paragraph":
            continue
        name = style.find(f"{W}name")
        value = name.get(f"{W}val", "") if name is not None else ""
        names[style.get(f"{W}styleId", "")] = value
        if style.get(f"{W}default") in ("1", "true", "on"):
            default = value
    return names, default


_RUN_PARTS = (f"{W}t", f"{W}tab", f"{W}ptab", f"{W}br", f"{W}cr", f"{W}noBreakHyphen")


def _run_text(run: etree._Element) -> str:
    parts = []
    for node in run:
        tag = node.tag
        if tag == f"{W}t":
            parts.append(node.text or "")
        elif tag in (f"{W}tab", f"{W}ptab"):
            parts.append("\t")
        elif tag in (f"{W}br", f"{W}cr"):
            parts.append("\n")
        elif tag == f"{W}noBreakHyphen":
            parts.append("-")
    return "".join(parts)


def _runs(p: etree._Element) -> list[etree._Element]:
    """The paragraph's runs in order, those inside hyperlinks included (as python-docx reads them)."""
    runs = []
    for child in p:
        if child.tag == f"{W}r":
            runs.append(child)
        elif child.tag == f"{W}hyperlink":
            runs.extend(child.findall(f"{W}r"))
    return runs


def _paragraph_text(p: etree._Element) -> str:
    return "".join(_run_text(run) for run in _runs(p))


def _bold(run: etree._Element) -> bool:
    mark = run.find(f"{W}rPr/{W}b")
    return mark is not None and mark.get(f"{W}val", "true") not in ("0", "false", "off")


def _is_bold_line(p: etree._Element, text: str) -> bool:
    runs = [run for run in _runs(p) if _run_text(run).strip()]
    return bool(runs) and len(text) <= MAX_BOLD_HEADING_CHARS and all(_bold(run) for run in runs)


def _style_id(p: etree._Element) -> str | None:
    style = p.find(f"{W}pPr/{W}pStyle")
    return style.get(f"{W}val") if style is not None else None


def _is_list_item(p: etree._Element, name: str) -> bool:
    return "list" in name.lower() or p.find(f"{W}pPr/{W}numPr") is not None


def _int(element: etree._Element | None, default: int) -> int:
    value = element.get(f"{W}val") if element is not None else None
    return int(value) if value and value.isdigit() else default


def _table_text(tbl: etree._Element) -> str:
    rows: list[str] = []
    above: dict[int, str] = {}  # grid column -> the text of the cell covering it in the row above
    for tr in tbl.findall(f"{W}tr"):
        column = _int(tr.find(f"{W}trPr/{W}gridBefore"), 0)
        texts: list[str] = []
        here: dict[int, str] = {}
        for tc in tr.findall(f"{W}tc"):
            span = max(1, _int(tc.find(f"{W}tcPr/{W}gridSpan"), 1))
            merge = tc.find(f"{W}tcPr/{W}vMerge")
            if merge is not None and merge.get(f"{W}val", "continue") == "continue":
                text = above.get(column, "")
            else:
                text = one_line("\n".join(_paragraph_text(p) for p in tc.findall(f"{W}p")))
            for offset in range(span):
                here[column + offset] = text
                texts.append(text)
            column += span
        above = here
        cells: list[str] = []
        for text in texts:
            if text and (not cells or cells[-1] != text):  # merged cells repeat their text
                cells.append(text)
        if cells:
            rows.append(" | ".join(cells))
    return "\n".join(rows)


def _blocks(archive: zipfile.ZipFile):
    """The body's paragraphs and tables in order, each cleared once the caller has read it."""
    with archive.open("word/document.xml") as stream:
        depth = 0
        for event, element in etree.iterparse(
            stream, events=("start", "end"), resolve_entities=False, no_network=True, huge_tree=False
        ):
            if event == "start":
                depth += 1
                continue
            depth -= 1
            if depth == 2 and element.tag in (f"{W}p", f"{W}tbl"):  # w:document > w:body > block
                yield element
                element.clear()
                while element.getprevious() is not None:
                    del element.getparent()[0]


def extract_docx(path: str, *, max_pages: int) -> ExtractedDocument:
    open_checked(path, "word/document.xml", "docx_unreadable")
    try:
        with zipfile.ZipFile(path) as archive:
            return _read(archive)
    except MemoryError:
        raise  # the guard reports it as extraction_too_big
    except PermanentError:
        raise
    except Exception as exc:
        raise PermanentError("docx_unreadable", f"{type(exc).__name__}: {exc}") from exc


def _read(archive: zipfile.ZipFile) -> ExtractedDocument:
    names, default = _style_names(archive)
    budget = settings.EXTRACTION_MAX_CHARS
    # (kind, text, style name, bold line, list item): the heading rule needs the whole document.
    blocks: list[tuple[int, str, str, str, bool, bool]] = []
    for index, element in enumerate(_blocks(archive)):  # the index counts empty paragraphs too
        if element.tag == f"{W}tbl":
            text = _table_text(element)
            blocks.append((index, "table", text, "", False, False))
        else:
            text = one_line(_paragraph_text(element))
            if not text:
                continue
            style_id = _style_id(element)
            name = names.get(style_id, "") if style_id is not None else default
            blocks.append((index, "p", text, name, _is_bold_line(element, text), _is_list_item(element, name)))
        budget -= len(text)
        if budget <= 0:
            break  # EXTRACTION_MAX_CHARS taken: the rest is left unread
    uses_styles = any(kind == "p" and _style_level(name) for _i, kind, _text, name, _bold, _list in blocks)
    sections: list[ExtractedSection] = []
    path_parts: list[str] = []
    for index, kind, text, name, bold_line, list_item in blocks:
        if kind == "table":
            if text:
                sections.append(ExtractedSection(text, None, join_path(path_parts), 0, index))
            continue
        level = _style_level(name) if uses_styles else (1 if bold_line else 0)
        if level:
            path_parts = [*path_parts[: level - 1], text]
        elif list_item:
            text = f"• {text}"
        sections.append(ExtractedSection(text, None, join_path(path_parts), min(level, 6), index))
    return ExtractedDocument(sections, None, core_title(archive))
