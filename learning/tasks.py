"""Actors of the ai queue: the three generation stages run in parallel, each replacing its items.

uploads sends them by name (uploads.services.processing.generation_send) once a document's text is stored.
"""

from __future__ import annotations

from typing import Any

import dramatiq

from learning.services import flashcards_generate, offline_generate, questions_generate, topics_extract

# Paid API calls: few retries (the SDK already retried each request, and a Redis counter caps every
# chunk at OPENAI_MAX_REQUESTS_PER_CHUNK), and time for a long document's chunks at OPENAI_CONCURRENCY.
AI_ACTOR_OPTIONS: dict[str, Any] = {
    "queue_name": "ai",
    "max_retries": 2,
    "min_backoff": 5_000,
    "max_backoff": 60_000,
    "time_limit": 30 * 60_000,
    "on_retry_exhausted": "upload_retries_exhausted",
}


@dramatiq.actor(**AI_ACTOR_OPTIONS)
def generate_flashcards(upload_id: int, run: int) -> None:
    flashcards_generate(upload_id=upload_id, run=run)


@dramatiq.actor(**AI_ACTOR_OPTIONS)
def generate_questions(upload_id: int, run: int) -> None:
    questions_generate(upload_id=upload_id, run=run)


@dramatiq.actor(**AI_ACTOR_OPTIONS)
def extract_topics(upload_id: int, run: int) -> None:
    topics_extract(upload_id=upload_id, run=run)


@dramatiq.actor(**AI_ACTOR_OPTIONS)
def generate_offline(upload_id: int, run: int, stages: list[str]) -> None:
    """All stages of the offline generator, or the given ones (none: only the finish)."""
    offline_generate(upload_id=upload_id, run=run, stages=stages)
