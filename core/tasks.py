"""Maintenance actors (queue `maintenance`), scheduled by `manage.py crontab --no-heartbeat`.

dramatiq-crontab's scheduler holds a Redis lock, so a second scheduler waits instead of sending
every job twice. Each job is safe to run twice; `max_age` drops runs that waited too long.
"""

from __future__ import annotations

import logging
from typing import Any

import dramatiq
from dramatiq_crontab import cron

from core.redis import get_redis
from core.worker.maintenance import cache_clean, health_record, tasks_delete_old, temp_files_clean

logger = logging.getLogger(__name__)
MINUTE = 60_000
OPTIONS: dict[str, Any] = {"queue_name": "maintenance", "max_retries": 0}


@cron("* * * * *")
@dramatiq.actor(**OPTIONS, time_limit=MINUTE, max_age=2 * MINUTE)
def health_check() -> None:

    health_record()


@cron("17 * * * *")
@dramatiq.actor(**OPTIONS, time_limit=10 * MINUTE, max_age=60 * MINUTE)
def clean_temp_files() -> None:

    logger.info("Removed %d old temporary files", temp_files_clean())


@cron("23 * * * *")
@dramatiq.actor(**OPTIONS, time_limit=10 * MINUTE, max_age=60 * MINUTE)
def clean_cache() -> None:

    logger.info("Removed cache keys: %s", cache_clean())


@cron("41 3 * * *")
@dramatiq.actor(**OPTIONS, time_limit=10 * MINUTE, max_age=12 * 60 * MINUTE)
def delete_old_task_rows() -> None:
    """django_dramatiq registers an actor named delete_old_tasks (default queue) already."""

    logger.info("Deleted %d old task rows", tasks_delete_old())


@dramatiq.actor(queue_name="maintenance", max_retries=0, max_age=MINUTE)
def queue_probe(sent_at: float, key: str) -> None:
    """Records the seconds from send to start under `key` (a Redis list, kept an hour): the queue
    hop that `make bench` measures, and that staff can measure on a live system the same way."""
    import time

    client = get_redis()
    client.rpush(key, time.time() - sent_at)
    client.expire(key, 3600)
