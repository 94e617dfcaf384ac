"""The maintenance jobs' work: temporary files, cache keys, dependency health, old task rows.

Each function is safe to run twice at once and returns what it did, for the log and the tests.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings

from core.numbers import parse_int
from core.ops.health import dependency_checks, fresh_heartbeats, worker_heartbeats
from core.redis import get_redis
from core.worker.queues import backlog_alerts, queue_depths
from uploads.models import Upload

logger = logging.getLogger(__name__)
HEALTH_KEY = "hts:maintenance:health"
CURSOR_KEY = "hts:maintenance:cursor:{pattern}"


def temp_files_clean() -> int:
    """Removes temporary copies (uploads in flight, documents being extracted) older than the limit.

    A process killed mid-extraction or mid-upload leaves its copy behind; live ones are younger.
    """
    cutoff = time.time() - settings.TEMP_FILE_MAX_AGE_MINUTES * 60
    removed = 0
    for path in settings.TEMP_DIR.glob("*"):
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue  # removed by its owner meanwhile
    return removed


def _scan_batch(pattern: str) -> Iterator[bytes | str]:
    """At most CACHE_CLEAN_SCAN_LIMIT keys; the next run goes on where this one stopped."""
    client = get_redis()
    cursor_key = CURSOR_KEY.format(pattern=pattern)
    cursor = int(client.get(cursor_key) or 0)
    seen = 0
    while seen < settings.CACHE_CLEAN_SCAN_LIMIT:
        cursor, keys = client.scan(cursor=cursor, match=pattern, count=min(500, settings.CACHE_CLEAN_SCAN_LIMIT))
        seen += len(keys)
        yield from keys
        if cursor == 0:
            break
    client.set(cursor_key, cursor)


def _clean(pattern: str, orphaned: Callable[[list[str]], set[str]]) -> int:
    """Deletes keys of `pattern` that never expire or that `orphaned` names."""
    client = get_redis()
    keys = [key.decode() if isinstance(key, bytes) else key for key in _scan_batch(pattern)]
    if not keys:
        return 0
    pipe = client.pipeline()
    for key in keys:
        pipe.ttl(key)
    doomed = {key for key, ttl in zip(keys, pipe.execute(), strict=True) if ttl == -1} | orphaned(keys)
    return client.delete(*doomed) if doomed else 0


def _upload_id(key: str, position: int) -> int | None:
    part = key.split(":")[position] if key.count(":") >= position else ""
    return parse_int(part)


def _keys_of_finished_uploads(keys: list[str], position: int) -> set[str]:
    """Keys whose upload is gone, ready or failed: generation no longer reads them."""

    ids = {key: _upload_id(key, position) for key in keys}
    processing = [Upload.Status.QUEUED, Upload.Status.EXTRACTING, Upload.Status.GENERATING]
    working = set(
        Upload.objects.filter(pk__in={i for i in ids.values() if i}, status__in=processing).values_list("pk", flat=True)
    )
    return {key for key, upload_id in ids.items() if upload_id is not None and upload_id not in working}


def cache_clean() -> dict[str, int]:
    """Expired or orphaned `extracted_text:*` (Django cache, `hts:<version>:` prefix), `openai_cache:*`
    and `openai_requests:<upload>:<run>:*` keys, a bounded SCAN per run."""
    return {
        # The sections are in the database too: the cache only serves generation while it runs.
        "extracted_text": _clean("hts:*:extracted_text:*", lambda keys: _keys_of_finished_uploads(keys, 3)),
        # Answers are keyed by content, not upload: only keys that would never expire are dropped.
        "openai_cache": _clean("openai_cache:*", lambda keys: set()),
        "openai_requests": _clean("openai_requests:*", lambda keys: _keys_of_finished_uploads(keys, 1)),
    }


def health_record() -> dict[str, Any]:
    """Checks every dependency, stores the result for the monitor page and logs what needs a human."""

    checks = dependency_checks()
    alerts = [f"{name} is down: {check.get('error', '')}" for name, check in checks.items() if not check["ok"]]
    depths: dict[str, dict[str, int]] = {}
    if checks["broker"]["ok"]:
        depths = queue_depths()
        alerts += backlog_alerts(depths)
    if checks["redis"]["ok"]:
        fresh = fresh_heartbeats(worker_heartbeats())
        served = {queue for beat in fresh for queue in beat.get("queues", [])}
        alerts += [
            f"no worker with a fresh heartbeat consumes queue {q}" for q in settings.DRAMATIQ_QUEUES if q not in served
        ]
    record = {"checked_at": time.time(), "checks": checks, "queues": depths, "alerts": alerts}
    for alert in alerts:
        logger.error("Health check: %s", alert)
    try:
        get_redis().set(HEALTH_KEY, json.dumps(record), ex=24 * 3600)
    except Exception:
        logger.warning("Could not store the health record", exc_info=True)
    return record


def health_last() -> dict[str, Any] | None:
    raw = get_redis().get(HEALTH_KEY)
    return json.loads(raw) if raw else None


def tasks_delete_old() -> int:
    """Task rows of the admin's message list, older than TASK_RETENTION_DAYS."""
    from datetime import timedelta

    from django.utils import timezone
    from django_dramatiq.models import Task

    cutoff = timezone.now() - timedelta(days=settings.TASK_RETENTION_DAYS)
    deleted, _ = Task.tasks.filter(updated_at__lt=cutoff).delete()
    return deleted
