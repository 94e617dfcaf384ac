"""What the Dramatiq Redis broker holds per queue: waiting, delayed, in progress, dead-lettered."""

from __future__ import annotations

from typing import Any

import dramatiq
from django.conf import settings


def _unacked(client: Any, namespace: str) -> dict[str, int]:
    """Messages fetched but not yet acknowledged, per queue; the broker keeps one set per worker and
    queue, `<namespace>:__acks__.<worker id>.<queue>` (a delay queue is named `<queue>.DQ`)."""
    prefix = f"{namespace}:__acks__."
    counts: dict[str, int] = {}
    for key in client.scan_iter(f"{prefix}*", count=500):
        _worker, _, queue = key.decode().removeprefix(prefix).partition(".")
        counts[queue] = counts.get(queue, 0) + client.scard(key)
    return counts


def queue_depths() -> dict[str, dict[str, int]]:
    broker = dramatiq.get_broker()
    client, namespace = broker.client, broker.namespace
    unacked = _unacked(client, namespace)
    return {
        queue: {
            "queued": client.llen(f"{namespace}:{queue}"),
            # A worker holds delayed messages (retries, ETAs) until they are due.
            "delayed": client.llen(f"{namespace}:{queue}.DQ") + unacked.get(f"{queue}.DQ", 0),
            "in_progress": unacked.get(queue, 0),
            "dead": client.zcard(f"{namespace}:{queue}.XQ"),
        }
        for queue in settings.DRAMATIQ_QUEUES
    }


def backlog_alerts(depths: dict[str, dict[str, int]]) -> list[str]:
    limit = settings.QUEUE_BACKLOG_ALERT
    return [
        f"queue {queue} holds {depth['queued']} waiting messages (alert above {limit})"
        for queue, depth in depths.items()
        if depth["queued"] > limit
    ]
