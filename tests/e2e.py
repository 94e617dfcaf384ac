"""Helpers and fixtures of the end-to-end tests: a real `rundramatiq` worker process."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection


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


def process_env(media_root: Path, redis_url: str | None = None, **extra: str) -> dict[str, str]:
    """The environment of a worker or web process that shares this test's database and files."""
    return {
        **os.environ,
        "DATABASE_URL": worker_database_url(),
        "REDIS_URL": redis_url or settings.REDIS_URL,
        "MEDIA_ROOT": str(media_root),
        "WORKER_HEALTH_PORT": str(free_port()),
        "WORKER_HEALTH_HOST": "127.0.0.1",
        "WORKER_HEARTBEAT_SECONDS": "0.5",
        "WORKER_METRICS_PORT": str(free_port()),
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


def start_worker(env: dict[str, str], log_path: Path, processes: int = 2, threads: int = 2) -> subprocess.Popen:
    """`rundramatiq` in a session of its own, so a test can SIGKILL it with all its children."""
    command = [sys.executable, "manage.py", "rundramatiq", "-p", str(processes), "-t", str(threads)]
    command += ["--queues", *settings.DRAMATIQ_QUEUES]
    with log_path.open("a") as log:
        return subprocess.Popen(
            command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )


def start_web(env: dict[str, str], log_path: Path) -> tuple[subprocess.Popen, str]:
    """gunicorn as in production (2 processes); returns the process and its base URL."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "-c", "python:hackthestudy.gunicorn", "hackthestudy.wsgi"]
    with log_path.open("a") as log:
        process = subprocess.Popen(
            command,
            cwd=settings.BASE_DIR,
            env={**env, "PORT": str(port), "WEB_CONCURRENCY": "2", "LOG_PREFIX": "[API]"},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    wait_until(lambda: get_json(f"{base}/ping")[0] == 200, timeout=30, what="gunicorn to answer")
    return process, base


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    """Stops a process started in its own session, children included."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, sig)
            process.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@pytest.fixture
def worker_env() -> dict[str, str]:
    """More environment for the worker process; a test module overrides this fixture."""
    return {}


@pytest.fixture
def worker(tmp_path: Path, media_root: Path, worker_env: dict[str, str]):
    log_path = tmp_path / "worker.log"
    env = process_env(media_root, LOG_PREFIX="[WORKER]", **worker_env)
    port = int(env["WORKER_HEALTH_PORT"])
    command = [sys.executable, "manage.py", "rundramatiq", "-p", "2", "-t", "2"]
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
