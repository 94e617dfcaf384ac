"""One Redis client per URL for the app's own keys (heartbeats, health checks)."""

from __future__ import annotations

from functools import lru_cache

import redis
from django.conf import settings


@lru_cache(maxsize=4)
def _client_for(url: str, timeout: float) -> redis.Redis:
    return redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)


def get_redis() -> redis.Redis:
    return _client_for(settings.REDIS_URL, settings.REDIS_TIMEOUT_SECONDS)
