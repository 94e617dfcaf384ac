"""Actors of the ai queue: the three generation stages run in parallel, each replacing its items."""

from __future__ import annotations

import dramatiq

# Paid API calls: few retries (the SDK already retried each request, and a Redis counter caps every
# chunk at OPENAI_MAX_REQUESTS_PER_CHUNK), and time for a long document's chunks at OPENAI_CONCURRENCY.
AI_ACTOR_OPTIONS = {
    "queue_name": "ai",
    "max_retries": 2,
    "min_backoff": 5_000,
    "max_backoff": 60_000,
    "time_limit": 30 * 60_000,
    "on_retry_exhausted": "upload_retries_exhausted",
}


@dramatiq.actor(**AI_ACTOR_OPTIONS)
def generate_flashcards(upload_id: int, run: int) -> None:
    from learning.services import flashcards_generate

    flashcards_generate(upload_id=upload_id, run=run)


@dramatiq.actor(**AI_ACTOR_OPTIONS)
def generate_questions(upload_id: int, run: int) -> None:
    from learning.services import questions_generate

    questions_generate(upload_id=upload_id, run=run)


@dramatiq.actor(**AI_ACTOR_OPTIONS)
def extract_topics(upload_id: int, run: int) -> None:
    from learning.services import topics_extract

    topics_extract(upload_id=upload_id, run=run)


STAGE_ACTORS = {"flashcards": generate_flashcards, "questions": generate_questions, "topics": extract_topics}


def start_generation(upload_id: int, run: int, stages: list[str] | None = None) -> None:
    """The three stages in parallel, or only the given ones (a stuck upload's unfinished stages)."""
    actors = [STAGE_ACTORS[stage] for stage in stages or STAGE_ACTORS]
    dramatiq.group([actor.message(upload_id, run) for actor in actors]).run()
