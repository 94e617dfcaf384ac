"""Quality gates for every provider: grounded, atomic, distinct, in the document's language, fair, covering.

`flashcards_build` and `questions_build` ask a provider for drafts, keep the ones that pass,
ask again for the parts of the document nothing covers yet, and cap the result so that every
part keeps its share. What was dropped, and why, is counted in a `GateReport`.
"""

from __future__ import annotations

import contextlib
import hashlib
import random
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from core.cloze import CLOZE, cloze_sentence
from learning.checks import (
    DuplicateFinder,
    SourceIndex,
    answer_supported,
    item_language,
    mcq_problem,
    substantial_units,
)
from learning.generation.drafts import AllChunksFailed, FlashcardDraft, Provider, QuestionDraft, SourceSection
from learning.generation.text import sentences
from learning.rubric import DocumentTerms, card_problem, question_problem

MAX_ANSWER_CHARS = 300
MAX_ANSWER_PARTS = 3
LONG_ANSWER_CHARS = 40  # answers this long count as duplicates on their own
COVERAGE_ITEMS_PER_UNIT = 2


@dataclass
class GateReport:
    dropped: Counter = field(default_factory=Counter)
    recited: int = 0
    split: int = 0

    @property
    def dropped_total(self) -> int:
        return sum(self.dropped.values())

    def __str__(self) -> str:
        reasons = ", ".join(f"{reason}: {count}" for reason, count in sorted(self.dropped.items()))
        return f"dropped {self.dropped_total} ({reasons or 'none'}), re-cited {self.recited}, split {self.split}"


def asked_text(kind: str, front: str) -> str:
    """What a card asks, for duplicate checks: a cloze card's whole sentence, a basic card's front."""
    return cloze_sentence(front) if kind == "cloze" else front


class _Gate:
    def __init__(self, sections: list[SourceSection], language: str) -> None:
        self.index = SourceIndex(sections)
        self.language = language
        self.report = GateReport()
        self.terms = DocumentTerms.of(sections, language)

    def drop(self, reason: str) -> None:
        self.report.dropped[reason] += 1

    def check(self, drafts: list[Any]) -> list[Any]:
        raise NotImplementedError

    def ground(self, section_order: int, snippet: str, answer: str) -> tuple[int, str] | None:
        """The section and verbatim snippet that support the answer, re-cited if the draft cited wrongly."""
        found = self.index.find_snippet(snippet, near=section_order)
        if found is None:
            self.drop("snippet not in the document")
            return None
        order, verbatim = found
        if not answer_supported(answer, self.index.unit_text(order), self.language):
            self.drop("answer not on the cited page")
            return None
        if order != section_order:
            self.report.recited += 1
        return order, verbatim

    def language_ok(self, text: str) -> bool:
        detected = item_language(text)
        if self.language in ("de", "en") and detected in ("de", "en") and detected != self.language:
            self.drop("wrong language")
            return False
        return True

    def uncovered_sections(self, section_orders: Iterable[int]) -> list[SourceSection]:
        covered = {self.index.unit_of.get(order) for order in section_orders}
        missing = [unit for unit in substantial_units(self.index) if unit.index not in covered]
        return [self.index.sections[order] for unit in missing for order in unit.orders]

    def select(self, items: list, limit: int) -> list:
        """At most `limit`, taken in turns from every unit so that no part of the document is left out."""
        if len(items) <= limit:
            return sorted(items, key=lambda item: item.section_order)
        by_unit: dict[int, list] = {}
        for item in sorted(items, key=lambda item: item.section_order):
            by_unit.setdefault(self.index.unit_of.get(item.section_order, -1), []).append(item)
        queues = list(by_unit.values())
        chosen: list = []
        while len(chosen) < limit:
            for queue in queues:
                if queue and len(chosen) < limit:
                    chosen.append(queue.pop(0))
        return sorted(chosen, key=lambda item: item.section_order)


def split_answer(answer: str) -> list[str]:
    """An over-long answer as atomic parts: whole sentences packed under the limit, at most three."""
    answer = " ".join(answer.split())
    if len(answer) <= MAX_ANSWER_CHARS:
        return [answer]
    parts: list[str] = []
    for sentence in sentences(answer):
        if parts and len(parts[-1]) + 1 + len(sentence) <= MAX_ANSWER_CHARS:
            parts[-1] += " " + sentence
        else:
            parts.append(shorten(sentence))
    return parts[:MAX_ANSWER_PARTS]


def shorten(text: str) -> str:
    """A single sentence over the limit: cut at the last clause (else word) boundary that fits."""
    if len(text) <= MAX_ANSWER_CHARS:
        return text
    head = text[: MAX_ANSWER_CHARS - 1]
    cut = max(head.rfind(mark) for mark in (";", ":", ","))
    if cut < MAX_ANSWER_CHARS // 2:
        cut = head.rfind(" ")
    return head[:cut].rstrip(" ,;:") + "…"


class FlashcardGate(_Gate):
    def __init__(self, sections: list[SourceSection], language: str, existing: Iterable[tuple[str, str, str]] = ()):
        super().__init__(sections, language)
        existing = list(existing)
        self.asked = DuplicateFinder(asked_text(kind, front) for kind, front, _back in existing)
        self.answers = DuplicateFinder(back for kind, _f, back in existing if kind == "basic" and len(back) > 40)

    def check(self, drafts: list[FlashcardDraft]) -> list[FlashcardDraft]:
        kept: list[FlashcardDraft] = []
        for draft in drafts:
            for part in self._atomic(draft):
                card = self._checked(part)
                if card is not None:
                    kept.append(card)
        return kept

    def _atomic(self, draft: FlashcardDraft) -> list[FlashcardDraft]:
        if draft.kind == "cloze" or len(draft.back) <= MAX_ANSWER_CHARS:
            return [draft]
        parts = split_answer(draft.back)
        self.report.split += 1
        if len(parts) == 1:
            return [replace(draft, back=parts[0])]
        front = draft.front.rstrip()
        return [
            replace(draft, front=f"{front} ({n}/{len(parts)})", back=part, part=n) for n, part in enumerate(parts, 1)
        ]

    def _checked(self, card: FlashcardDraft) -> FlashcardDraft | None:
        if not card.front.strip() or not card.back.strip() or (card.kind == "cloze" and not CLOZE.search(card.front)):
            self.drop("empty or malformed")
            return None
        problem = card_problem(card.kind, card.front, card.back, self.language, self.terms)
        if problem is not None:
            self.drop(f"rubric: {problem}")
            return None
        answer = card.back.removesuffix("…")
        grounded = self.ground(card.section_order, card.snippet, answer)
        if grounded is None:
            return None
        asked = asked_text(card.kind, card.front)
        if not self.language_ok(f"{asked} {card.back}"):
            return None
        long_answer = card.kind == "basic" and len(card.back) > LONG_ANSWER_CHARS
        # The parts of a split answer share their front; their answers tell them apart.
        if (card.part < 2 and self.asked.seen(asked)) or (long_answer and self.answers.seen(card.back)):
            self.drop("duplicate")
            return None
        self.asked.add(asked)
        if long_answer:
            self.answers.add(card.back)
        return replace(card, section_order=grounded[0], snippet=grounded[1])


class QuestionGate(_Gate):
    def __init__(self, sections: list[SourceSection], language: str, existing: Iterable[str] = ()):
        super().__init__(sections, language)
        self.stems = DuplicateFinder(existing)

    def check(self, drafts: list[QuestionDraft]) -> list[QuestionDraft]:
        kept = [question for question in map(self._checked, drafts) if question is not None]
        return kept

    def _checked(self, question: QuestionDraft) -> QuestionDraft | None:
        options = [" ".join(option.split()) for option in question.options]
        problem = mcq_problem(question.stem, options, question.correct_index)
        if problem is not None:
            self.drop(f"unfair options ({problem})")
            return None
        if any(len(option) > MAX_ANSWER_CHARS for option in options):
            self.drop("option too long")
            return None
        problem = question_problem(question.stem, options, question.correct_index, self.language, self.terms)
        if problem is not None:
            self.drop(f"rubric: {problem}")
            return None
        grounded = self.ground(question.section_order, question.snippet, options[question.correct_index])
        if grounded is None or not self.language_ok(f"{question.stem} {' '.join(options)}"):
            return None
        if not self.stems.add(question.stem):
            self.drop("duplicate")
            return None
        return replace(question, options=options, section_order=grounded[0], snippet=grounded[1])


def balance_positions(questions: list[QuestionDraft]) -> list[QuestionDraft]:
    """The correct option moves so that A, B, C and D are each right about a quarter of the time."""
    balanced = []
    for start in range(0, len(questions), 4):
        block = questions[start : start + 4]
        seed = hashlib.sha256("".join(q.stem for q in block).encode()).digest()
        positions = [0, 1, 2, 3]
        random.Random(seed).shuffle(positions)  # noqa: S311 - not crypto
        for question, target in zip(block, positions, strict=False):
            answer = question.options[question.correct_index]
            others = [o for i, o in enumerate(question.options) if i != question.correct_index]
            options = [*others[:target], answer, *others[target:]]
            balanced.append(replace(question, options=options, correct_index=target))
    return balanced


def _providers(provider: Provider, fallback: Provider | Literal["offline"] | None) -> list[Provider]:
    # Only in the worker: the web process imports the gates for students' own items, not the generator.
    from learning.generation.offline import OfflineProvider

    if fallback == "offline":
        fallback = None if provider.name == "offline" else OfflineProvider()
    return [provider] if fallback is None else [provider, fallback]


def _with_coverage(gate: _Gate, kept: list, providers: list[Provider], method: str, language: str) -> list:
    """Ask once more for the parts with real text that no kept item covers yet; then the fallback generator."""
    for n, source in enumerate(providers):
        if n == 0 and source.name == "offline":
            continue  # the offline generator already judged every part: asked again, it finds the same
        missing = gate.uncovered_sections(item.section_order for item in kept)
        if not missing:
            break
        units = {gate.index.unit_of[s.order] for s in missing}
        with contextlib.suppress(AllChunksFailed):  # reported by the provider; the first pass's items stay
            kept += gate.check(getattr(source, method)(missing, language, COVERAGE_ITEMS_PER_UNIT * len(units)))
    return kept


def flashcards_build(
    provider: Provider,
    sections: list[SourceSection],
    language: str,
    limit: int,
    existing: Iterable[tuple[str, str, str]] = (),
    fallback: Provider | Literal["offline"] | None = "offline",
) -> tuple[list[FlashcardDraft], GateReport]:
    """Checked flashcards; `existing` are (kind, front, back) of the cards the student already has.

    Parts of the document the provider leaves uncovered go to `fallback` (the offline generator).
    """
    gate = FlashcardGate(sections, language, existing)
    kept = gate.check(provider.generate_flashcards(sections, language, limit))
    kept = _with_coverage(gate, kept, _providers(provider, fallback), "generate_flashcards", language)
    return gate.select(kept, limit), gate.report


def questions_build(
    provider: Provider,
    sections: list[SourceSection],
    language: str,
    limit: int,
    existing: Iterable[str] = (),
    fallback: Provider | Literal["offline"] | None = "offline",
) -> tuple[list[QuestionDraft], GateReport]:
    """Checked questions; `existing` are the stems of the questions the student already has."""
    gate = QuestionGate(sections, language, existing)
    kept = gate.check(provider.generate_questions(sections, language, limit))
    kept = _with_coverage(gate, kept, _providers(provider, fallback), "generate_questions", language)
    return balance_positions(gate.select(kept, limit)), gate.report
