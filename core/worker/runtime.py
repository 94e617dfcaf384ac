"""Dramatiq middleware of the worker process: log context, heartbeat and health endpoint."""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import dramatiq
from django_dramatiq.middleware import AdminMiddleware
from dramatiq.middleware import Middleware

from core.context import current_context_id
from core.ops.health import HEARTBEATS_KEY
from core.redis import get_redis
from core.worker.guard import helpers_keep, helpers_start, helpers_stop
from learning.generation import nlp
from uploads.extraction import warm_up

logger = logging.getLogger(__name__)


class MessageContextMiddleware(Middleware):
    """Puts the id of the message being processed into every log line of its thread."""

    def before_process_message(self, broker: dramatiq.Broker, message: dramatiq.Message) -> None:
        current_context_id.set(f"msg:{message.message_id}")

    def after_process_message(self, broker: dramatiq.Broker, message: dramatiq.Message, **kwargs: Any) -> None:
        current_context_id.set("-")

    after_skip_message = after_process_message


_running = 0
_running_lock = threading.Lock()
_counted = threading.local()


def messages_running() -> int:
    """How many messages this worker process is running now, over all its threads."""
    return _running


class RunningMessagesMiddleware(Middleware):
    """Counts the messages this process runs (messages_running), so a message can tell whether it
    has the process, and a core, to itself."""

    def before_process_message(self, broker: dramatiq.Broker, message: dramatiq.Message) -> None:
        global _running
        with _running_lock:
            _running += 1
        _counted.message_id = message.message_id

    def after_process_message(self, broker: dramatiq.Broker, message: dramatiq.Message, **kwargs: Any) -> None:
        global _running
        if getattr(_counted, "message_id", None) != message.message_id:
            return  # skipped before this middleware counted it
        _counted.message_id = None
        with _running_lock:
            _running -= 1

    after_skip_message = after_process_message


class TaskAdminMiddleware(AdminMiddleware):
    """django_dramatiq's task rows, without its race: the sender writes "enqueued" after the message
    is in Redis, so a quick worker's "running" or "done" could be overwritten by a late "enqueued"
    (seen with 50 concurrent uploads). The sender now only creates the row, or updates one that
    is itself waiting or failed (a retry)."""

    def after_enqueue(self, broker: dramatiq.Broker, message: dramatiq.Message, delay: int | None) -> None:
        from django.utils import timezone
        from django_dramatiq.models import Task

        fields = {
            "message_data": message.encode(),
            "status": Task.STATUS_DELAYED if delay else Task.STATUS_ENQUEUED,
            "actor_name": message.actor_name,
            "queue_name": message.queue_name,
        }
        _task, created = Task.tasks.get_or_create(id=message.message_id, defaults=fields)
        if not created:
            waiting = [Task.STATUS_ENQUEUED, Task.STATUS_DELAYED, Task.STATUS_FAILED]
            Task.tasks.filter(id=message.message_id, status__in=waiting).update(**fields, updated_at=timezone.now())


HELPERS = 2  # children kept per worker process: a document's extraction or outline, and another's


def worker_process_prepare() -> None:
    """Imports the heavy extraction libraries, extracts a tiny document of each kind
    (uploads.extraction.warm_up), then forks the children that extraction and topic outlines run
    in (core.worker.guard): they inherit these modules and their warmed state instead of
    paying the import (PyMuPDF, python-docx, YAKE) for every document, and stay for the next ones.
    The offline generator's language models load here too (learning.generation.nlp)."""
    import importlib

    from django.conf import settings

    for module in settings.WORKER_PRELOAD_MODULES:
        importlib.import_module(module)
    try:
        warm_up(str(settings.TEMP_DIR))
    except Exception:
        logger.warning("The extraction warm-up failed", exc_info=True)
    # The tagger, word frequencies and noun list (about 1.5 s and 250 MB) once per process, before
    # the children fork, not by the first document of each process.
    nlp.preload()
    helpers_keep(HELPERS)
    helpers_start()


class PreloadMiddleware(Middleware):
    """worker_process_prepare() in each worker process; its children end with it."""

    def after_process_boot(self, broker: dramatiq.Broker) -> None:
        worker_process_prepare()

    def after_worker_shutdown(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:

        helpers_stop()


class WorkerHeartbeatMiddleware(Middleware):
    """Each worker process writes a heartbeat to Redis and serves GET /health.

    With several processes (`rundramatiq -p N`) only one can bind WORKER_HEALTH_PORT; the
    others keep trying on every beat, so the port is served again if that process dies.
    """

    def __init__(self) -> None:
        self.stop = threading.Event()
        self.server: ThreadingHTTPServer | None = None
        self.identity: dict[str, Any] = {}

    def after_worker_boot(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        queues = sorted(worker.consumer_whitelist or broker.get_declared_queues())
        self.identity = {"host": socket.gethostname(), "pid": os.getpid(), "queues": queues}
        threading.Thread(target=self._beat_forever, name="heartbeat", daemon=True).start()

    def before_worker_shutdown(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        self.stop.set()
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
        try:
            heartbeat_remove(self.identity)
        except Exception:
            logger.warning("Could not remove the worker heartbeat", exc_info=True)

    def _beat_forever(self) -> None:
        from django.conf import settings

        while not self.stop.is_set():
            try:
                heartbeat_write(self.identity)
            except Exception:
                logger.warning("Could not write the worker heartbeat", exc_info=True)
            if self.server is None:
                self.server = _serve_health(self.identity)
            self.stop.wait(settings.WORKER_HEARTBEAT_SECONDS)


def _field(identity: dict[str, Any]) -> str:
    return f"{identity['host']}:{identity['pid']}"


def heartbeat_write(identity: dict[str, Any]) -> None:

    client = get_redis()
    now = time.time()
    client.hset(HEARTBEATS_KEY, _field(identity), json.dumps({**identity, "last_seen": now}))
    # Forget processes that have been silent for a day (killed without a shutdown).
    for field, raw in client.hgetall(HEARTBEATS_KEY).items():
        if now - json.loads(raw)["last_seen"] > 86_400:
            client.hdel(HEARTBEATS_KEY, field)


def heartbeat_remove(identity: dict[str, Any]) -> None:

    get_redis().hdel(HEARTBEATS_KEY, _field(identity))


def worker_health(identity: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """This process's own view: is Redis reachable and is its heartbeat fresh?"""
    from django.conf import settings

    try:
        raw = get_redis().hget(HEARTBEATS_KEY, _field(identity))
    except Exception as exc:  # noqa: BLE001
        return 503, {"status": "error", **identity, "error": f"redis: {exc}"[:300]}
    age = time.time() - json.loads(raw)["last_seen"] if raw else None
    fresh = age is not None and age <= settings.WORKER_HEARTBEAT_STALE_SECONDS
    body = {"status": "ok" if fresh else "stale", **identity, "heartbeat_age_seconds": age}
    return (200 if fresh else 503), body


_port_taken_logged = threading.Event()


def _sibling_serves(host: str, port: int) -> bool:
    """Whether the port answers with a worker's health (another process of this worker has it)."""
    import urllib.error
    import urllib.request

    probe_host = "127.0.0.1" if host in ("0.0.0.0", "") else host  # noqa: S104 - reading, not binding
    try:
        with urllib.request.urlopen(f"http://{probe_host}:{port}/health", timeout=1) as response:
            return "queues" in json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:  # 503: a sibling whose heartbeat is stale
        try:
            return "queues" in json.loads(exc.read() or b"{}")
        except ValueError:
            return False
    except (OSError, ValueError):
        return False


def _log_port_taken(host: str, port: int, exc: OSError) -> None:
    if not _port_taken_logged.is_set():
        _port_taken_logged.set()
        logger.error(
            "Worker health: cannot listen on %s:%s (%s) and no worker answers there: the platform's "
            "health check cannot reach this worker. Free the port or set WORKER_HEALTH_PORT.",
            host,
            port,
            exc.strerror or exc,
        )


def _serve_health(identity: dict[str, Any]) -> ThreadingHTTPServer | None:
    from django.conf import settings

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, body = worker_health(identity) if self.path.rstrip("/") in ("", "/health") else (404, {})
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            return

    try:
        server = ThreadingHTTPServer((settings.WORKER_HEALTH_HOST, settings.WORKER_HEALTH_PORT), Handler)
    except OSError as exc:
        if not _sibling_serves(settings.WORKER_HEALTH_HOST, settings.WORKER_HEALTH_PORT):
            _log_port_taken(settings.WORKER_HEALTH_HOST, settings.WORKER_HEALTH_PORT, exc)
        return None  # another worker process of this host serves the port, or something else holds it
    threading.Thread(target=server.serve_forever, name="worker-health", daemon=True).start()
    logger.info("Worker health endpoint on port %s (pid %s)", settings.WORKER_HEALTH_PORT, os.getpid())
    return server
