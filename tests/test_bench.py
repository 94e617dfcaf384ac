"""`make bench` stopped by SIGTERM (a CI timeout, an operator) leaves none of its processes behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.db import connection

from tests.e2e import wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def processes_with(marker: str) -> dict[int, str]:
    """Running processes whose environment holds `marker`, with their command lines."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            environ = Path(f"/proc/{entry}/environ").read_bytes()
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            state = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if marker.encode() in environ and state != "Z":
            found[int(entry)] = cmdline
    return found


@pytest.fixture
def bench_database():
    name = f"{connection.settings_dict['NAME']}_bench"
    yield f"postgres://{connection.settings_dict['USER']}@{connection.settings_dict['HOST']}:5432/{name}"
    admin = psycopg2.connect(
        host=connection.settings_dict["HOST"], user=connection.settings_dict["USER"], dbname="postgres"
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def test_a_bench_stopped_by_sigterm_stops_its_worker(tmp_path, bench_database):
    marker = str(tmp_path / "bench-tmp")
    Path(marker).mkdir()
    env = {
        **os.environ,
        "TMPDIR": marker,  # the bench's work folder, in every process it starts
        "BENCH_DATABASE_URL": bench_database,
        "BENCH_REDIS_URL": os.environ.get("REDIS_URL", settings.REDIS_URL),
    }
    bench = subprocess.Popen(
        [sys.executable, "bench/run.py", "--only", "queue_hop"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=(tmp_path / "bench.log").open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:

        def worker_running() -> bool:
            return any("rundramatiq" in command for command in processes_with(marker).values())

        wait_until(worker_running, timeout=120, what="the bench's worker to start")
        bench.send_signal(signal.SIGTERM)
        bench.wait(timeout=60)
        wait_until(lambda: not processes_with(marker), timeout=30, what="every process of the bench to stop")
    finally:
        if bench.poll() is None:
            os.killpg(bench.pid, signal.SIGKILL)
        for pid in processes_with(marker):
            os.kill(pid, signal.SIGKILL)
    assert bench.returncode == 128 + signal.SIGTERM, (tmp_path / "bench.log").read_text()[-2000:]
