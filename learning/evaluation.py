"""`make eval`: the generator over a folder of real documents, measured the way a student would judge it."""

from __future__ import annotations

import statistics
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from core.cloze import cloze_sentence
from core.errors import PermanentError
from core.language import detect_language
from core.worker.guard import run_guarded
from learning.checks import (
    DuplicateFinder,
    SourceIndex,
    is_grounded,
    item_language,
    mcq_problem,
    substantial_units,
)
from learning.defects import measure
from learning.generation import get_provider
from learning.generation.drafts import FlashcardDraft, QuestionDraft, SourceSection
from learning.generation.statements import candidates
from learning.quality import flashcards_build, questions_build
from uploads.detection import sniff_kind
from uploads.extraction import ExtractedDocument, extract

PAGE_CHARS = 3000  # a standard page, for documents without pages (DOCX, text)


@dataclass
class DocumentScore:
    document: str
    status: str
    language: str = ""
    pages: float = 0
    paged: bool = True
    flashcards: int = 0
    questions: int = 0
    dropped: int = 0
    items_per_page: float = 0
    grounded: float = 0
    duplicates: float = 0
    coverage: float = 0
    language_match: float = 0
    median_answer_chars: float = 0
    fair_questions: float = 0
    answer_positions: str = ""
    seconds: float = 0
    ai_requests: int = 0
    ai_tokens: int = 0
    prose_pages: int = 0
    qualifying_pages: int = 0  # pages with a sentence that passes the rubric's statement checks
    coverage_qualifying: float = 0
    items_per_prose_page: float = 0
    blank_generic: float = 0
    blank_label: float = 0
    blank_not_noun: float = 0
    blank_visible: float = 0
    dangling_start: float = 0
    no_sentence_end: float = 0
    bad_distractor: float = 0


def _extract(path: Path):

    with path.open("rb") as handle:
        kind = sniff_kind(handle)
    return run_guarded(
        extract,
        str(path),
        kind,
        settings.MAX_PAGES,
        timeout=settings.EXTRACTION_TIMEOUT_SECONDS,
        memory_mb=settings.EXTRACTION_MEMORY_MB,
    )


def _items(cards: list[FlashcardDraft], questions: list[QuestionDraft]) -> list[tuple[str, str, int, str]]:
    """(what is asked, the answer, cited section, snippet) for every item."""
    rows = [
        (cloze_sentence(c.front) if c.kind == "cloze" else c.front, c.back, c.section_order, c.snippet) for c in cards
    ]
    rows += [(q.stem, q.options[q.correct_index], q.section_order, q.snippet) for q in questions]
    return rows


@dataclass
class Generated:
    """One document's items as a student gets them: extraction, the provider, then the gates."""

    path: Path
    document: ExtractedDocument
    sections: list[SourceSection]
    language: str
    cards: list[FlashcardDraft]
    questions: list[QuestionDraft]
    dropped: int
    provider: Any


def generate_document(path: Path) -> Generated:
    document = _extract(path)
    sections = [
        SourceSection(order, s.text, s.page, s.heading_path, s.heading_level)
        for order, s in enumerate(document.sections)
    ]
    language = detect_language("\n".join(s.text for s in sections))
    provider = get_provider(scope="eval")
    cards, card_report = flashcards_build(provider, sections, language, settings.MAX_FLASHCARDS_PER_DOCUMENT)
    questions, question_report = questions_build(provider, sections, language, settings.MAX_QUESTIONS_PER_DOCUMENT)
    dropped = card_report.dropped_total + question_report.dropped_total
    return Generated(path, document, sections, language, cards, questions, dropped, provider)


def qualifying_units(sections: list[SourceSection], language: str) -> set[int]:
    """Pages (units) with at least one complete, self-contained statement: the issue's "every page
    with real prose that has a qualifying sentence gets an item"."""

    return {statement.unit for statement in candidates(sections, language)[0]}


def score_document(path: Path) -> DocumentScore:
    return score_generated(path)[0]


def score_generated(path: Path) -> tuple[DocumentScore, Generated | None]:
    started = time.monotonic()
    try:
        generated = generate_document(path)
    except Exception as exc:  # noqa: BLE001 - the eval reports every failure and goes on
        code = exc.code if isinstance(exc, PermanentError) else type(exc).__name__
        return DocumentScore(path.name, f"failed: {code}"), None
    return _score(generated, started), generated


def _score(generated: Generated, started: float) -> DocumentScore:
    path, document, sections, language = generated.path, generated.document, generated.sections, generated.language
    cards, questions, provider = generated.cards, generated.questions, generated.provider
    index = SourceIndex(sections)
    items = _items(cards, questions)
    paged = document.page_count is not None
    pages = document.page_count or max(1.0, round(sum(len(s.text) for s in sections) / PAGE_CHARS, 1))
    card_keys, question_keys = DuplicateFinder(), DuplicateFinder()
    languages = [item_language(f"{asked} {answer}") for asked, answer, _order, _snippet in items]
    decided = [lang for lang in languages if lang in ("de", "en")]  # "other": too few function words to tell
    units = substantial_units(index)
    qualifying = qualifying_units(sections, language)
    covered = {index.unit_of.get(order) for _asked, _answer, order, _snippet in items}
    share = lambda part, whole: round(part / whole, 3) if whole else 0.0  # noqa: E731
    return DocumentScore(
        **measure(cards, questions, language).shares(),
        prose_pages=len(units),
        items_per_prose_page=round(len(items) / len(units), 2) if units else 0.0,
        document=path.name,
        status="ready",
        language=language,
        pages=pages,
        paged=paged,
        flashcards=len(cards),
        questions=len(questions),
        dropped=generated.dropped,
        items_per_page=round(len(items) / pages, 2),
        grounded=share(sum(is_grounded(index, o, s, a, language) for _q, a, o, s in items), len(items)),
        duplicates=share(
            sum(not card_keys.add(asked) for asked, _a, _o, _s in items[: len(cards)])
            + sum(not question_keys.add(asked) for asked, _a, _o, _s in items[len(cards) :]),
            len(items),
        ),
        coverage=share(sum(unit.index in covered for unit in units), len(units)),
        qualifying_pages=len(qualifying),
        coverage_qualifying=share(len(qualifying & covered), len(qualifying)),
        language_match=share(sum(lang == language for lang in decided), len(decided)),
        median_answer_chars=statistics.median(len(answer) for _q, answer, _o, _s in items) if items else 0,
        fair_questions=share(
            sum(mcq_problem(q.stem, q.options, q.correct_index) is None for q in questions), len(questions)
        ),
        answer_positions="/".join(str(sum(q.correct_index == i for q in questions)) for i in range(4)),
        seconds=round(time.monotonic() - started, 2),
        ai_requests=(getattr(provider, "usage", None) and provider.usage.requests) or 0,
        ai_tokens=(getattr(provider, "usage", None) and provider.usage.tokens) or 0,
    )


COLUMNS = [
    ("document", "document"),
    ("status", "status"),
    ("pages", "pages"),
    ("flashcards", "cards"),
    ("questions", "questions"),
    ("dropped", "dropped"),
    ("items_per_page", "items/page"),
    ("grounded", "grounded"),
    ("duplicates", "duplicates"),
    ("coverage", "coverage"),
    ("language_match", "language"),
    ("median_answer_chars", "median answer"),
    ("fair_questions", "fair MCQ"),
    ("answer_positions", "A/B/C/D"),
    ("seconds", "s"),
    ("ai_requests", "AI requests"),
    ("ai_tokens", "AI tokens"),
]
# Proxies of the rubric, measured independently of the gates (learning/defects.py).
DEFECT_COLUMNS = [
    ("document", "document"),
    ("prose_pages", "prose pages"),
    ("items_per_prose_page", "items/prose page"),
    ("coverage", "coverage"),
    ("qualifying_pages", "pages with a statement"),
    ("coverage_qualifying", "their coverage"),
    ("blank_generic", "blank generic"),
    ("blank_label", "blank label"),
    ("blank_not_noun", "blank not noun"),
    ("blank_visible", "blank visible"),
    ("dangling_start", "dangling start"),
    ("no_sentence_end", "no sentence end"),
    ("bad_distractor", "bad distractor"),
]


def _total(scores: list[DocumentScore]) -> DocumentScore | None:
    """All ready documents together: each share weighted by its document's items."""
    ready = [s for s in scores if s.status == "ready"]
    if not ready:
        return None
    total = DocumentScore("all documents", "ready", language="")
    weight = lambda s: s.flashcards + s.questions  # noqa: E731
    items = sum(weight(s) for s in ready) or 1
    for key, _title in DEFECT_COLUMNS[6:]:
        setattr(total, key, round(sum(getattr(s, key) * weight(s) for s in ready) / items, 3))
    total.prose_pages = sum(s.prose_pages for s in ready)
    total.coverage = round(sum(s.coverage * s.prose_pages for s in ready) / (total.prose_pages or 1), 3)
    total.qualifying_pages = sum(s.qualifying_pages for s in ready)
    total.coverage_qualifying = round(
        sum(s.coverage_qualifying * s.qualifying_pages for s in ready) / (total.qualifying_pages or 1), 3
    )
    total.items_per_prose_page = round(items / (total.prose_pages or 1), 2)
    total.flashcards, total.questions = sum(s.flashcards for s in ready), sum(s.questions for s in ready)
    return total


def defects_table(scores: list[DocumentScore]) -> str:
    total = _total(scores)
    rows = [s for s in scores if s.status == "ready"] + ([total] if total else [])
    return markdown_table(rows, DEFECT_COLUMNS)


def markdown_table(scores: list[DocumentScore], columns: list[tuple[str, str]] = COLUMNS) -> str:
    lines = ["| " + " | ".join(title for _key, title in columns) + " |", "|" + "---|" * len(columns)]
    for score in scores:
        row = asdict(score)
        cells = []
        for key, _title in columns:
            value = row[key]
            if key == "pages" and not score.paged and score.status == "ready":
                value = f"~{value}"
            if key == "status" and score.status == "ready":
                value = f"ready ({score.language})"
            cells.append(str(value))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
