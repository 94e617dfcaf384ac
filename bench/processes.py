"""The benchmark's real processes (`rundramatiq` workers, gunicorn) and what it reads about them
from /proc: resident memory, its peak, and the proportional share of a process tree."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
QUEUES = ["documents", "ai", "maintenance"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate, timeout: float, what: str, interval: float = 0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout} s waiting for {what}")


# --- /proc ------------------------------------------------------------------------------------


def status_kb(pid: int, field: str) -> int:
    """A field of /proc/<pid>/status in kB (VmRSS, VmHWM), 0 when the process is gone."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def peak_reset(pid: int) -> None:
    """Sets the process's peak resident size (VmHWM) back to its current size."""
    with open(f"/proc/{pid}/clear_refs", "w") as clear:
        clear.write("5")


def pss_kb(pid: int) -> int:
    """Proportional set size: pages shared with a forked parent count half for each."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/children") as listing:
                found += [int(child) for child in listing.read().split()]
        except OSError:
            continue
    return found


def descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        for child in children(todo.pop()):
            found.append(child)
            todo.append(child)
    return found


class TreePeak:
    """Samples the summed PSS of a process and its children (the extraction child included)
    every `interval` seconds in a thread; `peak_kb` is the highest sum seen."""

    def __init__(self, pid: int, interval: float = 0.02) -> None:
        self.pid, self.interval, self.peak_kb = pid, interval, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreePeak:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            total = pss_kb(self.pid) + sum(pss_kb(child) for child in descendants(self.pid))
            self.peak_kb = max(self.peak_kb, total)
            self._stop.wait(self.interval)


# --- processes --------------------------------------------------------------------------------


# Every process this benchmark started and has not stopped: `make bench` stopped by SIGTERM or an
# error stops them all (bench/run.py), instead of leaving a worker or gunicorn behind.
STARTED: list[subprocess.Popen] = []


def stop_all() -> None:
    for process in list(STARTED):
        _stop(process)


def _stop(process: subprocess.Popen) -> None:
    if process in STARTED:
        STARTED.remove(process)
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


class Worker:
    """`manage.py rundramatiq -p N -t T` as `make run` and the Procfile start it."""

    def __init__(self, env: dict[str, str], log: Path, processes: int = 1, threads: int = 4, **extra: str) -> None:
        self.env = {**env, "LOG_PREFIX": "[WORKER]", "WORKER_HEALTH_PORT": str(free_port())}
        self.env.update({"WORKER_METRICS_PORT": str(free_port()), "WORKER_HEARTBEAT_SECONDS": "0.5", **extra})
        self.log, self.processes, self.threads = log, processes, threads
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Worker:
        command = [sys.executable, "manage.py", "rundramatiq", "-p", str(self.processes), "-t", str(self.threads)]
        with self.log.open("a") as log:
            self.process = subprocess.Popen(
                [*command, "--queues", *QUEUES],
                cwd=BASE_DIR,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        STARTED.append(self.process)
        wait_until(lambda: len(self.pids()) == self.processes, 60, "the worker processes' heartbeats", 0.1)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            _stop(self.process)

    def pids(self) -> list[int]:
        """The processes that consume messages (each sends heartbeats), not the parent or helpers."""
        from core.ops.health import HEARTBEATS_KEY
        from core.redis import get_redis

        assert self.process is not None
        ours = set(descendants(self.process.pid))
        beats = [json.loads(raw) for raw in get_redis().hvals(HEARTBEATS_KEY)]
        return sorted(beat["pid"] for beat in beats if beat["pid"] in ours)


class Web:
    """gunicorn with the production settings file; `workers` processes of `threads` threads."""

    def __init__(self, env: dict[str, str], log: Path, workers: int = 2, threads: int = 4) -> None:
        self.port = free_port()
        self.env = {**env, "PORT": str(self.port), "WEB_CONCURRENCY": str(workers), "WEB_THREADS": str(threads)}
        self.log, self.workers = log, workers
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Web:
        command = [sys.executable, "-m", "gunicorn", "-c", "python:hackthestudy.gunicorn", "hackthestudy.wsgi"]
        with self.log.open("a") as log:
            self.process = subprocess.Popen(
                command, cwd=BASE_DIR, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        STARTED.append(self.process)
        wait_until(self._answers, 60, "gunicorn to answer", 0.1)
        wait_until(lambda: len(self.pids()) == self.workers, 30, "gunicorn's workers", 0.1)
        return self

    def _answers(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.base}/ping", timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            _stop(self.process)

    def pids(self) -> list[int]:
        assert self.process is not None
        return children(self.process.pid)
