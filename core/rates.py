"""Rate limits that live in the services, so the web pages, the API and the admin share them:
at most N actions of a kind per user (or client address) and period, counted in the cache.

The rates are DRF's scoped throttle rates (`REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`), so one
setting names each limit wherever it is enforced.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError

RATE_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class TooManyRequests(ValidationError):
    """Refused: too many of these in a short time. The API answers 429 with `code`."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__({"non_field_errors": [ValidationError(message, code=code)]})
        self.rejection_code = code
        self.status_code = 429


def client_address(request: object) -> str | None:
    """The client's address: REMOTE_ADDR, or behind NUM_PROXIES trusted proxies (App Platform: one)
    the address the nearest of them saw, as DRF's throttles read it. A client-supplied
    X-Forwarded-For beyond that count is ignored, so a rotating header buys no fresh address."""
    meta = getattr(request, "META", {})
    proxies = settings.NUM_PROXIES
    if proxies:
        forwarded = [part.strip() for part in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if forwarded:
            return forwarded[-min(proxies, len(forwarded))]
    return meta.get("REMOTE_ADDR") or None  # None: django-axes stores no address


def rate_allows(scope: str, who: object) -> bool:
    """Counts one action of `scope` by `who` (a user id or a client address); False past the rate."""
    rate = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"].get(scope)
    if not rate:
        return True
    count, period = rate.split("/")
    seconds = RATE_PERIODS[period.strip()[0]]
    key = f"rate:{scope}:{who or 'unknown'}:{int(time.time() // seconds)}"
    cache.add(key, 0, timeout=seconds)
    return cache.incr(key) <= int(count)


def rate_check(scope: str, who: object, message: str, *, code: str) -> None:
    if not rate_allows(scope, who):
        raise TooManyRequests(message, code=code)
