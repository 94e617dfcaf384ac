"""Study-material generation: one interface, several providers.

A provider turns the extracted sections of a document into drafts; the services in
learning/services/generation.py check them (quality gates) and store them. `get_provider()` picks the
OpenAI provider when OPENAI_API_KEY is set and the offline generator otherwise;
the upload records which one it got (a spent monthly budget falls back to the offline one).
"""

from __future__ import annotations

from django.conf import settings

from learning.generation.drafts import (
    AllChunksFailed,
    FlashcardDraft,
    Provider,
    QuestionDraft,
    SourceSection,
    TopicDraft,
)

__all__ = [
    "AllChunksFailed",
    "FlashcardDraft",
    "Provider",
    "QuestionDraft",
    "SourceSection",
    "TopicDraft",
    "ai_available",
    "get_provider",
]


def ai_available() -> bool:
    return bool(settings.OPENAI_API_KEY)


def get_provider(generator: str = "", *, scope: str = "adhoc") -> Provider:
    """The provider by name ("openai" or "offline"); by default OpenAI when a key is configured."""
    # Here, not at the top: the web process asks ai_available() and never generates, so the
    # OpenAI SDK and the offline generator's language models stay out of it.
    from learning.generation.offline import OfflineProvider
    from learning.generation.openai import OpenAIProvider

    if generator == "openai" or (not generator and ai_available()):
        return OpenAIProvider(scope=scope)
    return OfflineProvider()
