"""The id of the request or Dramatiq message being handled, for log lines."""

from __future__ import annotations

from contextvars import ContextVar

current_context_id: ContextVar[str] = ContextVar("current_context_id", default="-")
