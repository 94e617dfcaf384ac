"""Liveness and readiness checks for the web process.

Liveness (`/ping`) never touches a dependency. Readiness (`/health`) checks the database,
Redis and the broker (Redis too), and reports the newest worker heartbeat. Only those three
decide the status code: a stale worker is reported, not answered with 503, so the platform
does not restart the web process for a worker's fault.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import dramatiq
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse

from core.redis import get_redis

HEARTBEATS_KEY = "hts:worker_heartbeats"


def ping(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def _timed(check: Callable[[], dict[str, Any] | None]) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        result: dict[str, Any] = {"ok": True, **(check() or {})}
    except Exception as exc:  # noqa: BLE001 - any failure is the answer
        result = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
    result["latency_ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_redis() -> None:
    get_redis().ping()


def _check_broker() -> dict[str, Any]:
    broker = dramatiq.get_broker()
    client = broker.client
    client.ping()
    namespace = broker.namespace
    return {"queues": {queue: client.llen(f"{namespace}:{queue}") for queue in settings.DRAMATIQ_QUEUES}}


def worker_heartbeats() -> list[dict[str, Any]]:
    """Every worker process's latest heartbeat, newest first."""
    raw = get_redis().hgetall(HEARTBEATS_KEY)
    beats = [json.loads(value) for value in raw.values()]
    return sorted(beats, key=lambda beat: beat["last_seen"], reverse=True)


def _check_worker() -> dict[str, Any]:
    beats = worker_heartbeats()
    if not beats:
        return {"ok": False, "workers": 0, "last_heartbeat_age_seconds": None}
    age = round(time.time() - beats[0]["last_seen"], 1)
    fresh = fresh_heartbeats(beats)
    return {
        "ok": bool(fresh),
        "workers": len(fresh),
        "last_heartbeat_age_seconds": age,
    }


def dependency_checks() -> dict[str, dict[str, Any]]:
    return {
        "database": _timed(_check_database),
        "redis": _timed(_check_redis),
        "broker": _timed(_check_broker),
        "worker": _timed(_check_worker),
    }


def fresh_heartbeats(beats: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [b for b in beats if time.time() - b["last_seen"] <= settings.WORKER_HEARTBEAT_STALE_SECONDS]


def readiness(request: HttpRequest) -> JsonResponse:
    checks = dependency_checks()
    ready = all(checks[name]["ok"] for name in ("database", "redis", "broker"))
    status = "ok" if ready and all(c["ok"] for c in checks.values()) else ("degraded" if ready else "error")
    return JsonResponse({"status": status, "checks": checks}, status=200 if ready else 503)
