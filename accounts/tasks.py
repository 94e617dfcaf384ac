"""Actors of the accounts app: thin, taking ids (or nothing), calling a service."""

from __future__ import annotations

import logging

import dramatiq
from dramatiq_crontab import cron

from accounts.services import tokens_flush_expired

logger = logging.getLogger(__name__)


@cron("11 4 * * *")
@dramatiq.actor(queue_name="maintenance", max_retries=3, time_limit=60_000, max_age=12 * 3_600_000)
def flush_expired_tokens() -> None:

    deleted = tokens_flush_expired()
    logger.info("Flushed %d expired refresh tokens", deleted)
