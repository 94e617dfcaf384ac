"""Where an upload's processing time went, per step, kept in Redis for a day (admin, benchmarks).

Each step adds its milliseconds to one field of a hash, atomically, so the parallel generation
stages never overwrite each other. Timing is best effort: Redis being away never fails processing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager

from core.redis import get_redis

logger = logging.getLogger(__name__)
TTL_SECONDS = 24 * 3600


def _key(upload_id: int) -> str:
    return f"hts:timings:{upload_id}"


def timing_add(upload_id: int, step: str, seconds: float) -> None:
    try:
        pipe = get_redis().pipeline()
        pipe.hincrbyfloat(_key(upload_id), step, round(seconds * 1000, 2))
        pipe.expire(_key(upload_id), TTL_SECONDS)
        pipe.execute()
    except Exception:
        logger.debug("Could not record the timing %s of upload %s", step, upload_id, exc_info=True)


@contextmanager
def timed(upload_id: int, step: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        timing_add(upload_id, step, time.perf_counter() - started)


def timings_get(upload_id: int) -> dict[str, float]:
    """Milliseconds per step: extract, store, <stage>_total and <stage>_write per generation stage."""
    try:
        raw = get_redis().hgetall(_key(upload_id))
    except Exception:  # noqa: BLE001
        return {}
    return {name.decode() if isinstance(name, bytes) else name: float(value) for name, value in raw.items()}
