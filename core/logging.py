"""Logging helpers: every line carries LOG_PREFIX and the current request or message id."""

from __future__ import annotations

import logging

from core.context import current_context_id


class ContextFilter(logging.Filter):
    def __init__(self, prefix: str = "") -> None:
        super().__init__()
        self.prefix = prefix

    def filter(self, record: logging.LogRecord) -> bool:
        record.prefix = self.prefix
        record.context_id = current_context_id.get()
        return True
