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


@dramatiq.actor(**AI_ACTOR_OPTIONS)
def generate_offline(upload_id: int, run: int, stages: list[str]) -> None:
    from learning.services import offline_generate

    offline_generate(upload_id=upload_id, run=run, stages=stages)


STAGE_ACTORS = {"flashcards": generate_flashcards, "questions": generate_questions, "topics": extract_topics}


def start_generation(upload_id: int, run: int, generator: str, stages: list[str] | None = None) -> None:
    """The three stages, or only the given ones (a stuck upload's unfinished stages). With OpenAI
    they wait on the network: three messages, in parallel. Offline they are CPU work: one
    message that spreads them over two cores itself (services.offline_generate)."""
    stages = [stage for stage in STAGE_ACTORS if stage in (stages or STAGE_ACTORS)]
    if generator != "openai":
        generate_offline.send(upload_id, run, stages)
        return
    dramatiq.group([STAGE_ACTORS[stage].message(upload_id, run) for stage in stages]).run()
