"""Faults under real processes: a worker SIGKILLed mid-extraction, Redis restarted under queued and
running work, the database dropping the worker's connections, and 50 concurrent uploads of 5 users
through gunicorn with 2 worker processes. Each prints what happened, for the closing note."""

from __future__ import annotations

import contextlib
import random
import signal
import subprocess
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx2
import pytest
from django.conf import settings
from django.db import connection
from django_dramatiq.models import Task

from accounts.tests.factories import UserFactory
from core.ops.health import worker_heartbeats
from core.redis import get_redis
from learning.models import Flashcard
from tests.e2e import free_port, process_env, start_web, start_worker, stop, wait_until
from uploads.models import Section, Upload
from uploads.tests import documents

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct horse battery staple"
WORDS = (
    "Warteschlange Ankunftsrate Bedienrate Kunde System Auslastung Erwartungswert Verteilung Markov Kette "
    "Zustand Übergang Wahrscheinlichkeit Prozess Modell Durchsatz Wartezeit Puffer Schalter Ankunft"
).split()


def lecture(seed: int, pages: int = 3, sentences: int = 8) -> list[str]:
    """Distinct German pages of real statements (the generator skips word salad), made from WORDS."""
    rng = random.Random(seed)  # noqa: S311 - reproducible text, not secrets

    def statement() -> str:
        a, b, c = rng.sample(WORDS, 3)
        return f"Die {a}skonstante bestimmt im Modell {seed} die {b}sgröße des Systems und die {c}sdauer."

    return [f"Kapitel {seed}.{page}\n" + " ".join(statement() for _ in range(sentences)) for page in range(pages)]


def report(capsys, lines: list[str]) -> None:
    with capsys.disabled():
        print("\n" + "\n".join(lines))


def finished(upload_id: int) -> bool:
    return Upload.objects.filter(pk=upload_id, status__in=["ready", "failed"]).exists()


class Api:
    """A mobile client over real HTTP: JWT login, multipart upload, lists."""

    def __init__(self, base: str, email: str) -> None:
        # No keep-alive: gunicorn closes idle connections after 2 s, racing a client that reuses one.
        self.http = httpx2.Client(base_url=base, timeout=30, limits=httpx2.Limits(max_keepalive_connections=0))
        registered = self.http.post("/api/v1/auth/register/", json={"email": email, "password": PASSWORD})
        assert registered.status_code == 201, registered.text
        token = self.http.post("/api/v1/auth/token/", json={"email": email, "password": PASSWORD})
        assert token.status_code == 200, token.text
        self.http.headers["Authorization"] = f"Bearer {token.json()['access']}"

    def upload(self, name: str, data: bytes) -> int:
        response = self.http.post("/api/v1/uploads/", files={"file": (name, data)}, data={"generator": "offline"})
        assert response.status_code == 201, response.text
        return response.json()["id"]

    def upload_ids(self) -> set[int]:
        response = self.http.get("/api/v1/uploads/", params={"page_size": 100})
        assert response.status_code == 200
        return {item["id"] for item in response.json()["results"]}


def assert_processed_once(upload: Upload) -> None:
    """No visible trace of a second processing: one section per order, one card per front."""
    orders = list(Section.objects.filter(upload=upload).values_list("order", flat=True))
    assert len(orders) == len(set(orders)) > 0
    fronts = list(Flashcard.objects.filter(upload=upload).values_list("front", flat=True))
    assert len(fronts) == len(set(fronts)) == upload.flashcard_count > 0


# --- 1. SIGKILL in the middle of process_document -------------------------------------------


def test_a_worker_killed_mid_extraction_is_replaced_and_the_upload_is_ready_once(media_root, tmp_path, capsys):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from rest_framework.test import APIClient

    env = process_env(media_root)
    first = start_worker(env, tmp_path / "worker1.log", processes=1)
    wait_until(worker_heartbeats, 60, "the worker to boot")
    client = APIClient()
    client.force_authenticate(UserFactory())
    # About 1.7 million characters: python-docx needs seconds, a window to kill the worker in.
    big = documents.make_docx(lecture(1, pages=600, sentences=9))
    response = client.post("/api/v1/uploads/", {"file": SimpleUploadedFile("gross.docx", big)}, format="multipart")
    upload_id = response.json()["id"]
    wait_until(lambda: Upload.objects.filter(pk=upload_id, status="extracting").exists(), 60, "the extraction to start")
    stop(first, signal.SIGKILL)
    killed_at = time.monotonic()
    upload = Upload.objects.get(pk=upload_id)
    assert upload.status == "extracting", "killed in the middle of process_document"

    second = start_worker(env, tmp_path / "worker2.log", processes=1)
    try:
        claimed_at = upload.extracting_at
        wait_until(
            lambda: Upload.objects.filter(pk=upload_id, extracting_at__gt=claimed_at).exists(),
            150,
            "the message to be redelivered",
        )
        redelivered = time.monotonic() - killed_at
        wait_until(lambda: finished(upload_id), 240, "the redelivered upload to finish")
        recovered = time.monotonic() - killed_at
        upload = Upload.objects.get(pk=upload_id)
        assert upload.status == "ready", (upload.error_code, upload.error_detail)
        assert_processed_once(upload)

        # The message's row turns `done` just after its last write made the upload ready: wait for it.
        def generation_tasks() -> Counter:
            return Counter(Task.tasks.filter(actor_name="generate_offline").values_list("status", flat=True))

        with contextlib.suppress(AssertionError):
            wait_until(lambda: generation_tasks() == {"done": 1}, 15, "the generation message's row to be done")
        assert generation_tasks() == {"done": 1}, "generation ran once"
        assert redelivered < 120, "a dead worker's message comes back within two minutes"
    finally:
        stop(second)
    report(
        capsys,
        [
            f"SIGKILL mid-extraction: the message was redelivered {redelivered:.0f} s after the kill "
            f"(heartbeat timeout {settings.DRAMATIQ_BROKER['OPTIONS']['heartbeat_timeout'] / 1000:.0f} s), "
            f"the upload ready {recovered:.0f} s after it; ready once, {upload.flashcard_count} cards, "
            f"{Section.objects.filter(upload=upload).count()} sections, no duplicates",
        ],
    )


# --- 2. Redis restarted under queued and running work ----------------------------------------


class PrivateRedis:
    """A redis-server of the test's own, append-only as production needs, restartable on its port."""

    def __init__(self, data_dir: Path) -> None:
        self.dir, self.port, self.process = data_dir, free_port(), None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        import shutil

        binary = shutil.which("redis-server")
        if binary is None:
            pytest.skip("redis-server is not installed")
        args = [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.dir)]
        args += ["--appendonly", "yes", "--appendfsync", "always", "--save", "", "--logfile", "redis.log"]
        self.process = subprocess.Popen(args, start_new_session=True)
        import redis

        wait_until(lambda: _pings(redis, self.url), 15, "the private Redis")

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)


def worker_heartbeats_clear() -> None:
    from core.ops.health import HEARTBEATS_KEY

    get_redis().delete(HEARTBEATS_KEY)


def _children(pid: int) -> set[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False).stdout
    return {int(child) for child in found.split()}


def _running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] not in "ZX"
    except FileNotFoundError:
        return False


def test_the_children_a_worker_keeps_end_with_it(media_root, tmp_path, capsys):
    """The children a worker keeps between documents for extraction and outlines (uploads/extraction/
    guard.py) must not outlive a worker killed by SIGKILL (or the OOM killer), nor hold up a
    worker's shutdown."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from uploads.services import upload_create

    env = process_env(media_root)
    for how in ("SIGKILL", "SIGTERM"):
        worker = start_worker(env, tmp_path / f"worker-{how}.log", processes=1)
        try:
            wait_until(worker_heartbeats, 60, "the worker to boot")
            pid = worker_heartbeats()[0]["pid"]
            file = SimpleUploadedFile(f"{how}.pdf", documents.make_pdf(lecture(len(how), pages=4)))
            upload, _created = upload_create(owner=UserFactory(), file=file)
            wait_until(lambda upload=upload: finished(upload.pk), 120, "the upload to be ready")
            children = _children(pid)
            assert 1 <= len(children) <= 2, "the children kept beside the worker"
            started = time.monotonic()
            if how == "SIGKILL":
                subprocess.run(["kill", "-KILL", str(pid)], check=True)
            else:  # to rundramatiq alone, as a restart does: it stops its worker processes
                worker.send_signal(signal.SIGTERM)
                worker.wait(timeout=15)
            wait_until(lambda children=children: not any(_running(c) for c in children), 15, "the children to end")
            report(capsys, [f"children kept by the worker after its {how}: gone in {time.monotonic() - started:.1f} s"])
        finally:
            stop(worker)
            worker_heartbeats_clear()


def _pings(redis_module, url: str) -> bool:
    try:
        return bool(redis_module.Redis.from_url(url, socket_timeout=1).ping())
    except Exception:  # noqa: BLE001
        return False


def scheduler_tick(redis_url: str) -> None:
    """What `manage.py crontab` does every 5 minutes: send requeue_stuck_uploads."""
    from dramatiq.brokers.redis import RedisBroker

    from uploads.tasks import requeue_stuck_uploads

    namespace = settings.DRAMATIQ_BROKER["OPTIONS"]["namespace"]
    RedisBroker(url=redis_url, namespace=namespace, middleware=[]).enqueue(requeue_stuck_uploads.message())


def test_redis_killed_and_restarted_under_load_loses_no_upload(media_root, tmp_path, capsys):
    redis = PrivateRedis(tmp_path)
    redis.start()
    # The stuck-upload job may act at once here; in production it waits STUCK_AFTER_MINUTES.
    env = process_env(media_root, redis.url, STUCK_AFTER_MINUTES="0")
    web, base = start_web(env, tmp_path / "web.log")
    worker = start_worker(env, tmp_path / "worker.log", processes=1, threads=2)
    try:
        api = Api(base, "redis-restart@example.org")
        ids = [api.upload(f"d{n}.docx", documents.make_docx(lecture(100 + n, pages=40))) for n in range(8)]
        wait_until(
            lambda: Upload.objects.filter(pk__in=ids, status__in=["extracting", "generating"]).exists(),
            60,
            "processing to start",
        )
        states = Counter(Upload.objects.filter(pk__in=ids).values_list("status", flat=True))
        redis.kill()
        time.sleep(3)
        redis.start()
        started = time.monotonic()
        try:  # the broker and the actors' own retries
            wait_until(lambda: all(finished(i) for i in ids), 30, "every upload to finish after the restart")
        except AssertionError:
            scheduler_tick(redis.url)  # the second line
            wait_until(lambda: all(finished(i) for i in ids), 120, "every upload to finish after the requeue")
        took = time.monotonic() - started
        uploads = list(Upload.objects.filter(pk__in=ids))
        outcome = Counter(upload.status for upload in uploads)
        requeued = sum(upload.requeues for upload in uploads)
        for upload in uploads:
            if upload.status == "ready":
                assert_processed_once(upload)
            else:
                assert upload.error_message, "a failure says why"
        assert worker.poll() is None and web.poll() is None
    finally:
        stop(worker)
        stop(web)
        redis.kill()
    report(
        capsys,
        [
            f"Redis SIGKILLed and restarted (append-only file) while the {len(ids)} uploads were {dict(states)}: "
            f"all finished {took:.0f} s after the restart, {dict(outcome)}; {requeued} sent again by "
            "requeue_stuck_uploads (work whose messages were sent while Redis was down)",
        ],
    )


# --- 3. The database drops the worker's connections ---------------------------------------------


def terminate_other_connections() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def test_the_next_message_succeeds_after_the_database_dropped_the_workers_connections(media_root, tmp_path, capsys):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's pg_terminate_backend")
    from django.core.files.uploadedfile import SimpleUploadedFile
    from rest_framework.test import APIClient

    worker = start_worker(process_env(media_root), tmp_path / "worker.log", processes=1, threads=2)
    client = APIClient()
    client.force_authenticate(UserFactory())

    def upload(n: int) -> int:
        data = documents.make_pdf(lecture(200 + n))
        response = client.post("/api/v1/uploads/", {"file": SimpleUploadedFile(f"{n}.pdf", data)}, format="multipart")
        return response.json()["id"]

    try:
        first = upload(1)
        wait_until(lambda: finished(first), 60, "the first upload")
        dropped = terminate_other_connections()
        assert dropped >= 1, "the worker held connections"
        second = upload(2)
        wait_until(lambda: finished(second), 60, "the upload after the drop")
        assert Upload.objects.get(pk=second).status == "ready"
        assert worker.poll() is None
    finally:
        stop(worker)
    report(capsys, [f"Database dropped {dropped} worker connections: the next upload was ready, the worker stayed up"])


# --- 4. 50 uploads, 5 users, 2 worker processes --------------------------------------------------


def posts_counted(base: str) -> float:
    """POST requests in the web's Prometheus metrics, summed over all gunicorn processes."""
    body = httpx2.get(f"{base}/metrics", headers={"Authorization": "Bearer metrics-test-token"}).text
    lines = [
        line
        for line in body.splitlines()
        if line.startswith('django_http_requests_total_by_method_total{method="POST"}')
    ]
    return sum(float(line.rsplit(" ", 1)[1]) for line in lines)


def worker_messages(env: dict[str, str], actor: str) -> float:
    body = httpx2.get(f"http://127.0.0.1:{env['WORKER_METRICS_PORT']}/", timeout=10).text
    lines = [
        line
        for line in body.splitlines()
        if line.startswith("dramatiq_messages_total{") and f'actor_name="{actor}"' in line
    ]
    return sum(float(line.rsplit(" ", 1)[1]) for line in lines)


def test_fifty_concurrent_uploads_of_five_users_are_each_processed_once(media_root, tmp_path, capsys):
    env = process_env(media_root, METRICS_TOKEN="metrics-test-token")
    web, base = start_web(env, tmp_path / "web.log")
    worker = start_worker(env, tmp_path / "worker.log", processes=2, threads=2)
    try:
        clients = {user: Api(base, f"student{user}@example.org") for user in range(5)}
        jobs = [(user, n, documents.make_pdf(lecture(1000 * (user + 1) + n))) for user in clients for n in range(10)]
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=10) as pool:
            made = list(pool.map(lambda job: (job[0], clients[job[0]].upload(f"{job[1]}.pdf", job[2])), jobs))
        wait_until(lambda: all(finished(i) for _, i in made), 300, "all 50 uploads")
        took = time.monotonic() - started
        statuses = Counter(Upload.objects.filter(pk__in=[i for _, i in made]).values_list("status", flat=True))
        assert statuses == {"ready": 50}
        for user, api in clients.items():
            own = {upload_id for owner, upload_id in made if owner == user}
            assert api.upload_ids() == own, "each user sees exactly their own"
        for upload in Upload.objects.filter(pk__in=[i for _, i in made]):
            assert_processed_once(upload)
        runs = Counter(Task.tasks.filter(actor_name="process_document").values_list("status", flat=True))
        assert runs == {"done": 50}, "one process_document message per upload, each done once"
        assert worker.poll() is None
        # 5 registrations, 5 logins, 50 uploads, counted across both gunicorn processes.
        assert posts_counted(base) == 60
        # The worker's own metrics (Dramatiq's Prometheus middleware), summed over its 2 processes.
        assert worker_messages(env, "process_document") == 50
    finally:
        stop(worker)
        stop(web)
    report(capsys, [f"50 uploads by 5 users through gunicorn, 2 worker processes: all ready in {took:.0f} s"])
