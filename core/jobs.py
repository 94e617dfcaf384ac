"""Sending another app's actor by name, as Polar's worker does (`enqueue_job("order.invoice", id)`).

An app starts another app's work without importing its tasks: the arrow between apps points one
way (learning uses uploads), and the broker, which knows every declared actor, is the only thing
both sides share. Each app's AppConfig.ready declares its actors, so every process knows them.
"""

from __future__ import annotations

from typing import Any

import dramatiq
from django.db import transaction


def job_send(actor_name: str, *args: Any) -> None:
    dramatiq.get_broker().get_actor(actor_name).send(*args)


def job_send_on_commit(actor_name: str, *args: Any) -> None:
    """Sent once the current transaction commits (at once outside one): the worker then reads what it wrote."""
    transaction.on_commit(lambda: job_send(actor_name, *args))
