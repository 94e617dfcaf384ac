"""What the staff monitor page shows: workers, queues, uploads, throughput, failures."""

from __future__ import annotations

import statistics
import time
from datetime import timedelta
from typing import Any

from django.db.models import Count
from django.utils import timezone

from core.ops.health import fresh_heartbeats, worker_heartbeats
from core.worker.maintenance import health_last
from core.worker.queues import queue_depths
from uploads.models import Upload

Status = Upload.Status
LATEST_FAILURES = 10
MEDIAN_SAMPLE = 5000


def _safely(read: Any) -> tuple[Any, str]:
    """(value, error): the page still renders when Redis is down, and says so."""
    try:
        return read(), ""
    except Exception as exc:  # noqa: BLE001
        return None, f"{type(exc).__name__}: {exc}"[:300]


def workers() -> list[dict[str, Any]]:

    beats = worker_heartbeats()
    fresh = {id(beat) for beat in fresh_heartbeats(beats)}
    now = time.time()
    return [{**beat, "age_seconds": round(now - beat["last_seen"], 1), "alive": id(beat) in fresh} for beat in beats]


def uploads_by_status() -> list[tuple[str, str, int]]:
    counts = dict(Upload.objects.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    return [(value, str(label), counts.get(value, 0)) for value, label in Status.choices]


def window_stats(hours: int) -> dict[str, Any]:
    since = timezone.now() - timedelta(hours=hours)
    ready = Upload.objects.filter(ready_at__gte=since).count()
    failed = Upload.objects.filter(failed_at__gte=since).count()
    finished = ready + failed
    return {
        "hours": hours,
        "ready": ready,
        "failed": failed,
        "per_hour": round(finished / hours, 1),
        "failure_rate": failed / finished if finished else None,
    }


def median_seconds_to_ready(hours: int = 24) -> float | None:
    since = timezone.now() - timedelta(hours=hours)
    pairs = Upload.objects.filter(ready_at__gte=since).values_list("created_at", "ready_at")[:MEDIAN_SAMPLE]
    durations = [(ready - created).total_seconds() for created, ready in pairs if ready is not None]
    return statistics.median(durations) if durations else None


def latest_failures() -> list[Upload]:
    return list(
        Upload.objects.filter(status=Status.FAILED).select_related("owner").order_by("-failed_at")[:LATEST_FAILURES]
    )


def monitor_snapshot() -> dict[str, Any]:

    worker_list, workers_error = _safely(workers)
    queues, queues_error = _safely(queue_depths)
    health, _ = _safely(health_last)
    return {
        "workers": worker_list or [],
        "workers_error": workers_error,
        "queues": queues or {},
        "queues_error": queues_error,
        "uploads_by_status": uploads_by_status(),
        "windows": [window_stats(1), window_stats(24)],
        "median_seconds_to_ready": median_seconds_to_ready(),
        "latest_failures": latest_failures(),
        "health": health,
        "health_age_seconds": round(time.time() - health["checked_at"]) if health else None,
        "generated_at": timezone.now(),
    }
