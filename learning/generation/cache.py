"""API answers cached in Redis: the same chunk, model and prompt version never cost twice."""

from __future__ import annotations

import hashlib
import json

from django.conf import settings

from core.redis import get_redis

CACHE_PREFIX = "openai_cache"
REQUESTS_PREFIX = "openai_requests"
REQUEST_COUNT_TTL_SECONDS = 60 * 60 * 24 * 2


def cache_key(task: str, model: str, prompt_version: str, text: str) -> str:
    digest = hashlib.sha256("\x00".join((model, prompt_version, text)).encode()).hexdigest()
    return f"{CACHE_PREFIX}:{task}:{digest}"


def cached_answer(key: str) -> dict | None:
    raw = get_redis().get(key)
    return None if raw is None else json.loads(raw)


def store_answer(key: str, answer: dict) -> None:
    get_redis().set(key, json.dumps(answer), ex=settings.OPENAI_CACHE_TTL_SECONDS)


def count_request(scope: str, key: str) -> int:
    """How many requests this chunk has cost in this run, this one included."""
    counter = f"{REQUESTS_PREFIX}:{scope}:{key.removeprefix(CACHE_PREFIX + ':')}"
    pipe = get_redis().pipeline()
    pipe.incr(counter)
    pipe.expire(counter, REQUEST_COUNT_TTL_SECONDS)
    return pipe.execute()[0]
