"""What every provider reads and returns: source sections in, drafts out (the Provider protocol)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class SourceSection:
    order: int
    text: str
    page: int | None = None
    heading_path: str = ""
    heading_level: int = 0


@dataclass
class FlashcardDraft:
    kind: str  # "basic" or "cloze"
    front: str
    back: str
    section_order: int
    snippet: str
    part: int = 0  # 1, 2, ... for the parts of an over-long answer split into atomic cards


@dataclass
class QuestionDraft:
    stem: str
    options: list[str]
    correct_index: int
    explanation: str
    section_order: int
    snippet: str


@dataclass
class TopicDraft:
    title: str
    summary: str
    level: int
    first_section: int
    last_section: int
    pages: list[int] = field(default_factory=list)
    key_terms: list[str] = field(default_factory=list)


class AllChunksFailed(Exception):
    """The provider got nothing for any part of the text it was given (its failures are reported)."""

    code = "ai_unavailable"


class Provider(Protocol):
    name: str

    def generate_flashcards(self, sections: list[SourceSection], language: str, limit: int) -> list[FlashcardDraft]: ...

    def generate_questions(self, sections: list[SourceSection], language: str, limit: int) -> list[QuestionDraft]: ...

    def extract_topics(self, sections: list[SourceSection], language: str) -> list[TopicDraft]: ...
