"""Quality gates for every provider: grounded snippets, atomic answers, no duplicates."""

from __future__ import annotations

from learning.generation import FlashcardDraft, QuestionDraft, SourceSection
from learning.generation.text import normalize, squash

MAX_ANSWER_CHARS = 300


def is_grounded(snippet: str, section: SourceSection | None) -> bool:
    return bool(snippet) and section is not None and squash(snippet) in squash(section.text)


def gate_flashcards(drafts: list[FlashcardDraft], sections: dict[int, SourceSection]) -> tuple[list, int]:
    kept: list[FlashcardDraft] = []
    seen: set[str] = set()
    for draft in drafts:
        key = normalize(draft.front if draft.kind == "cloze" else draft.front + " " + draft.back)
        if (
            key in seen
            or not draft.front.strip()
            or not draft.back.strip()
            or len(draft.back) > MAX_ANSWER_CHARS
            or not is_grounded(draft.snippet, sections.get(draft.section_order))
        ):
            continue
        seen.add(key)
        kept.append(draft)
    return kept, len(drafts) - len(kept)


def gate_questions(drafts: list[QuestionDraft], sections: dict[int, SourceSection]) -> tuple[list, int]:
    kept: list[QuestionDraft] = []
    seen: set[str] = set()
    for draft in drafts:
        key = normalize(draft.stem)
        options = {normalize(option) for option in draft.options}
        if (
            key in seen
            or len(draft.options) != 4
            or len(options) != 4
            or not 0 <= draft.correct_index < 4
            or not is_grounded(draft.snippet, sections.get(draft.section_order))
        ):
            continue
        seen.add(key)
        kept.append(draft)
    return kept, len(drafts) - len(kept)


def flashcards_build(provider, sections: list[SourceSection], language: str, limit: int) -> tuple[list, int]:
    drafts = provider.generate_flashcards(sections, language, limit)
    return gate_flashcards(drafts, {s.order: s for s in sections})


def questions_build(provider, sections: list[SourceSection], language: str, limit: int) -> tuple[list, int]:
    drafts = provider.generate_questions(sections, language, limit)
    return gate_questions(drafts, {s.order: s for s in sections})
