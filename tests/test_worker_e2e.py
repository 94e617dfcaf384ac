"""A real `rundramatiq` process: a message through the real Redis, its effect in the database,
and the worker's heartbeat on its own health port."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from accounts.tasks import flush_expired_tokens
from accounts.tests.factories import UserFactory, outstanding_tokens
from hackthestudy.health import worker_heartbeats

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def worker_database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def wait_until(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def get_json(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status, json.loads(response.read())
    except OSError:
        return 0, {}


@pytest.fixture
def worker(tmp_path: Path):
    port = free_port()
    log_path = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DATABASE_URL": worker_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "WORKER_HEALTH_PORT": str(port),
        "WORKER_HEALTH_HOST": "127.0.0.1",
        "WORKER_HEARTBEAT_SECONDS": "0.5",
        "LOG_PREFIX": "[WORKER]",
        "PYTHONUNBUFFERED": "1",
    }
    command = [sys.executable, "manage.py", "rundramatiq", "-p", "1", "-t", "2"]
    command += ["--queues", "documents", "ai", "maintenance"]
    with log_path.open("w") as log:
        process = subprocess.Popen(command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        yield process, port, log_path
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


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
