"""PPTX with python-pptx: slide title, text frames, tables and speaker notes; the slide is the page."""

from __future__ import annotations

import pptx
from pptx.shapes.base import BaseShape
from pptx.shapes.group import GroupShape

from core.errors import PermanentError
from uploads.extraction.document import ExtractedDocument, ExtractedSection, clean_text, one_line
from uploads.extraction.docx import open_checked


def _shape_texts(shape: BaseShape) -> list[str]:
    if isinstance(shape, GroupShape):
        return [text for inner in shape.shapes for text in _shape_texts(inner)]
    if getattr(shape, "has_table", False) and shape.has_table:
        rows = [" | ".join(one_line(c.text) for c in row.cells if c.text.strip()) for row in shape.table.rows]
        return ["\n".join(row for row in rows if row)]
    if getattr(shape, "has_text_frame", False) and shape.has_text_frame:
        lines = [one_line(p.text) for p in shape.text_frame.paragraphs]
        return ["\n".join(line for line in lines if line)]
    return []


def extract_pptx(path: str, *, max_pages: int) -> ExtractedDocument:
    open_checked(path, "ppt/presentation.xml", "pptx_unreadable")
    try:
        presentation = pptx.Presentation(path)
    except MemoryError:
        raise  # the guard reports it as extraction_too_big
    except Exception as exc:
        raise PermanentError("pptx_unreadable", f"{type(exc).__name__}: {exc}") from exc
    slides = list(presentation.slides)
    if len(slides) > max_pages:
        raise PermanentError("too_many_pages", f"{len(slides)} slides")
    sections: list[ExtractedSection] = []
    for number, slide in enumerate(slides, start=1):
        title_shape = slide.shapes.title
        title = one_line(title_shape.text) if title_shape is not None and title_shape.has_text_frame else ""
        if title:
            sections.append(ExtractedSection(title, number, title, 1))
        body = [t for shape in slide.shapes if shape is not title_shape for t in _shape_texts(shape) if t.strip()]
        if body:
            sections.append(ExtractedSection(clean_text("\n".join(body)), number, title))
        if slide.has_notes_slide:
            notes = clean_text(slide.notes_slide.notes_text_frame.text or "")
            if notes:
                sections.append(ExtractedSection(notes, number, title))
    title = one_line(presentation.core_properties.title or "")
    return ExtractedDocument(sections, len(slides), title)
