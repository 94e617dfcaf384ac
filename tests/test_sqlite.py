"""`make run` on SQLite: web, worker and scheduler write one file. A sign-up while another process
holds a write transaction waits its turn instead of answering 500 "database is locked"."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.e2e


def test_a_sign_up_waits_for_another_process_s_write_on_sqlite(tmp_path: Path):
    database = tmp_path / "run.sqlite3"
    env = {
        **os.environ,
        "DEBUG": "True",
        "DATABASE_URL": f"sqlite:///{database}",
        "REDIS_URL": settings.REDIS_URL,
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], cwd=settings.BASE_DIR, env=env, check=True)
    # Another process (the worker, the scheduler) writes and holds its transaction for 3 s.
    holder = subprocess.Popen(
        [
            *manage,
            "shell",
            "--no-imports",
            "-c",
            textwrap.dedent(
                """
                import time
                from django.db import transaction
                with transaction.atomic():
                    from django.db import connection
                    connection.cursor().execute("CREATE TABLE IF NOT EXISTS held (n int)")
                    connection.cursor().execute("INSERT INTO held VALUES (1)")
                    print("holding", flush=True)
                    time.sleep(3)
                """
            ),
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "holding"
    started = time.monotonic()
    signup = textwrap.dedent(
        """
        from django.test import Client
        response = Client(HTTP_HOST="localhost").post("/accounts/signup/", {"email": "first@example.org",
            "password": "correct horse battery staple", "password_again": "correct horse battery staple"})
        print(response.status_code)
        """
    )
    result = subprocess.run(
        [*manage, "shell", "--no-imports", "-c", signup],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    holder.wait(timeout=30)
    assert result.stdout.strip().splitlines()[-1] == "302", result.stdout + result.stderr
    assert time.monotonic() - started >= 1.5  # it waited for the other writer
    journal = subprocess.run(
        [
            *manage,
            "shell",
            "--no-imports",
            "-c",
            "from django.db import connection; c = connection.cursor(); "
            "c.execute('PRAGMA journal_mode'); print(c.fetchone()[0])",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert journal.stdout.strip().splitlines()[-1] == "wal"
