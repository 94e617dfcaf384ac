"""A real `rundramatiq` process: a message through the real Redis, its effect in the database,
and the worker's heartbeat on its own health port."""

from __future__ import annotations

import signal
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from accounts.tasks import flush_expired_tokens
from accounts.tests.factories import UserFactory, outstanding_tokens
from core.ops.health import worker_heartbeats
from tests.e2e import get_json, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_worker_process_runs_an_actor_and_reports_its_heartbeat(worker, client):
    process, port, log_path = worker
    user = UserFactory()
    now = timezone.now()
    outstanding_tokens(
        user,
        {
            "expired-a": now - timedelta(days=2),
            "expired-b": now - timedelta(hours=1),
            "valid": now + timedelta(days=7),
        },
    )

    _status, health = wait_until(
        lambda: (result := get_json(f"http://127.0.0.1:{port}/health"))[0] == 200 and result,
        timeout=60,
        what="the worker's health endpoint",
    )
    assert health["status"] == "ok"
    assert set(health["queues"]) == {"documents", "ai", "maintenance"}
    assert health["heartbeat_age_seconds"] < 5
    assert process.poll() is None

    message = flush_expired_tokens.send()
    wait_until(
        lambda: not OutstandingToken.objects.filter(jti__startswith="expired").exists(),
        timeout=30,
        what="the worker to flush the expired tokens",
    )
    assert list(OutstandingToken.objects.values_list("jti", flat=True)) == ["valid"]

    readiness = client.get("/health").json()["checks"]["worker"]
    assert readiness["ok"] is True and readiness["workers"] >= 1
    assert readiness["last_heartbeat_age_seconds"] < 5
    assert any(beat["pid"] == health["pid"] for beat in worker_heartbeats())

    log = wait_until(
        lambda: "Flushed 2 expired refresh tokens" in (text := log_path.read_text()) and text,
        timeout=10,
        what="the actor's log line",
    )
    line = next(line for line in log.splitlines() if "Flushed 2 expired" in line)
    assert line.startswith("[WORKER]")
    assert f"msg:{message.message_id}" in line

    process.send_signal(signal.SIGTERM)
    process.wait(timeout=30)
    assert all(beat["pid"] != health["pid"] for beat in worker_heartbeats()), "a clean stop removes its heartbeat"
