"""Study-material generation: one interface, several providers.

A provider turns the extracted sections of a document into drafts; the services in
learning/services/generation.py check them (quality gates) and store them. `get_provider()` picks the
OpenAI provider when OPENAI_API_KEY is set and the offline generator otherwise;
the upload records which one it got (a spent monthly budget falls back to the offline one).
"""

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


def ai_available() -> bool:
    from django.conf import settings

    return bool(settings.OPENAI_API_KEY)


def get_provider(generator: str = "", *, scope: str = "adhoc") -> Provider:
    """The provider by name ("openai" or "offline"); by default OpenAI when a key is configured."""
    from learning.generation.offline import OfflineProvider

    if generator == "openai" or (not generator and ai_available()):
        from learning.generation.openai import OpenAIProvider

        return OpenAIProvider(scope=scope)
    return OfflineProvider()
