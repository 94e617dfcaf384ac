"""Measurements shared by the quality gates and `make eval`: grounding, near-duplicates, coverage, language.

A document is read as units: a page for paged documents (PDF, slides), a heading's stretch of
text (cut at about UNIT_CHARS) for the others. An item is grounded when its snippet and its
answer are found, fuzzily, in the text of the unit it cites.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from core.language import detect_language
from learning.generation.drafts import SourceSection
from learning.generation.text import is_informative, normalize, sentences, stopwords

SNIPPET_MIN_SCORE = 90
ANSWER_MIN_SCORE = 85
LONG_ANSWER_WORD_SHARE = 0.7
DUPLICATE_MIN_SCORE = 90
UNIT_CHARS = 4000
MIN_UNIT_CHARS = 200  # a unit with less prose than this is too short to need an item
LANGUAGE_MIN_WORDS = 6
_WORD = re.compile(r"\w{4,}", re.UNICODE)


def plain(text: str) -> str:
    """Lower-case with collapsed whitespace: positions still map to the squashed original."""
    return " ".join(text.split()).lower()


@dataclass(frozen=True)
class Unit:
    index: int
    orders: tuple[int, ...]
    page: int | None
    chars: int


def prose_chars(text: str) -> int:
    """Characters in real sentences: link lists, code and tables do not need a flashcard."""
    return sum(len(sentence) for sentence in sentences(text) if is_informative(sentence))


def document_units(sections: list[SourceSection]) -> list[Unit]:
    units: list[Unit] = []
    current: list[SourceSection] = []

    def close() -> None:
        if current:
            chars = sum(prose_chars(s.text) for s in current if s.heading_level == 0)
            units.append(Unit(len(units), tuple(s.order for s in current), current[0].page, chars))
            current.clear()

    for section in sections:
        if current:
            previous = current[-1]
            if section.page is not None or previous.page is not None:
                boundary = section.page != previous.page
            else:
                size = sum(len(s.text) for s in current)
                boundary = section.heading_path != previous.heading_path or size >= UNIT_CHARS
            if boundary:
                close()
        current.append(section)
    close()
    return units


class SourceIndex:
    """The document's texts by section order and by unit, for the grounding checks."""

    def __init__(self, sections: list[SourceSection]) -> None:
        self.sections = {s.order: s for s in sections}
        self.units = document_units(sections)
        self.unit_of = {order: unit.index for unit in self.units for order in unit.orders}
        self._unit_text = [plain("\n".join(self.sections[o].text for o in unit.orders)) for unit in self.units]
        self._section_text = {order: plain(s.text) for order, s in self.sections.items()}

    def unit_text(self, section_order: int) -> str:
        unit = self.unit_of.get(section_order)
        return "" if unit is None else self._unit_text[unit]

    def find_snippet(self, snippet: str, near: int | None = None) -> tuple[int, str] | None:
        """The section that holds `snippet` (the cited one first) and the verbatim text matched there."""
        needle = plain(snippet)
        if len(needle) < 8:
            return None
        if near is not None and near in self._section_text:
            found = _aligned(needle, self._section_text[near], self.sections[near].text)
            if found:
                return near, found
        hit = process.extractOne(needle, self._section_text, scorer=fuzz.partial_ratio, score_cutoff=SNIPPET_MIN_SCORE)
        if hit is None:
            return None
        order = hit[2]
        found = _aligned(needle, self._section_text[order], self.sections[order].text)
        return (order, found) if found else None


def _aligned(needle: str, haystack: str, original: str) -> str | None:
    if needle in haystack:
        start = haystack.index(needle)
        return " ".join(original.split())[start : start + len(needle)]
    alignment = fuzz.partial_ratio_alignment(needle, haystack, score_cutoff=SNIPPET_MIN_SCORE)
    if alignment is None:
        return None
    return " ".join(original.split())[alignment.dest_start : alignment.dest_end].strip()


def answer_supported(answer: str, source_text: str, language: str) -> bool:
    """The answer occurs in the source, or (for a long one) most of its content words do."""
    needle = plain(answer).strip(" .!?;:")
    if not needle:
        return False
    if needle in source_text:
        return True
    if len(needle) <= 80:
        return fuzz.partial_ratio(needle, source_text) >= ANSWER_MIN_SCORE
    words = [w for w in _WORD.findall(needle) if w not in stopwords(language)]
    if not words:
        return False
    present = set(_WORD.findall(source_text))
    prefixes = {w[:5] for w in present}
    found = sum(w in present or w[:5] in prefixes for w in words)
    return found / len(words) >= LONG_ANSWER_WORD_SHARE


def is_grounded(index: SourceIndex, section_order: int, snippet: str, answer: str, language: str) -> bool:
    source = index.unit_text(section_order)
    if not source:
        return False
    return fuzz.partial_ratio(plain(snippet), source) >= SNIPPET_MIN_SCORE and answer_supported(
        answer, source, language
    )


class DuplicateFinder:
    """Near-equal texts (normalised, word order ignored) count as one."""

    def __init__(self, existing: Iterable[str] = ()) -> None:
        self.keys: list[str] = [normalize(text) for text in existing if normalize(text)]

    def seen(self, text: str) -> bool:
        key = normalize(text)
        if not key:
            return True
        return (
            process.extractOne(key, self.keys, scorer=fuzz.token_sort_ratio, score_cutoff=DUPLICATE_MIN_SCORE)
            is not None
        )

    def add(self, text: str) -> bool:
        """True when `text` is new (and remembered), False for a near-duplicate."""
        if self.seen(text):
            return False
        self.keys.append(normalize(text))
        return True


def item_language(text: str) -> str | None:
    """`de`, `en` or `other`; None when the text is too short to tell."""
    if len(re.findall(r"[^\W\d_]{2,}", text)) < LANGUAGE_MIN_WORDS:
        return None
    return detect_language(text)


def substantial_units(index: SourceIndex) -> list[Unit]:
    return [unit for unit in index.units if unit.chars >= MIN_UNIT_CHARS]


def _numeric(text: str) -> bool:
    return sum(ch.isdigit() for ch in text) >= max(1, len(text.replace(" ", "")) // 2)


def mcq_problem(stem: str, options: list[str], correct_index: int) -> str | None:
    """Why a multiple-choice question is unfair, or None: four distinct options of one kind, one correct."""
    if len(options) != 4 or not 0 <= correct_index < 4 or any(not option.strip() for option in options):
        return "shape"
    keys = [normalize(option) for option in options]
    for i, key in enumerate(keys):
        if any(fuzz.ratio(key, other) >= DUPLICATE_MIN_SCORE for other in keys[i + 1 :]):
            return "duplicate options"
    answer = options[correct_index]
    if len(keys[correct_index]) >= 4 and re.search(rf"(?<!\w){re.escape(keys[correct_index])}(?!\w)", normalize(stem)):
        return "answer in stem"
    for option in options:
        if option is answer:
            continue
        if _numeric(option) != _numeric(answer):
            return "kind"
        short, long = sorted((len(option), len(answer)))
        if long - short > 12 and long > 3 * short:
            return "length"
    return None
