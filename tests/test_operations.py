"""Staff operations: the monitor page, metrics, the task admin, the maintenance jobs, upload rate."""

from __future__ import annotations

import json
import os
import time
from datetime import timedelta

import dramatiq
import pytest
from django.core.cache import cache
from django.utils import timezone
from django_dramatiq.models import Task

from accounts.tests.factories import UserFactory
from core.ops.health import HEARTBEATS_KEY
from core.redis import get_redis
from core.tasks import clean_cache, clean_temp_files, delete_old_task_rows, health_check
from core.worker import maintenance
from uploads import services
from uploads.models import Upload
from uploads.tests import documents
from uploads.tests.conftest import uploaded

pytestmark = pytest.mark.django_db


def make_upload(user=None, status: str = "ready", **fields) -> Upload:
    upload, _ = services.upload_create(
        owner=user or UserFactory(), file=uploaded("a.pdf", documents.make_pdf([f"Seite {time.time_ns()}"] * 2))
    )
    Upload.objects.filter(pk=upload.pk).update(status=status, **fields)
    return Upload.objects.get(pk=upload.pk)


def beat(host: str, pid: int, age: float, queues=("documents", "ai", "maintenance")) -> None:
    record = {"host": host, "pid": pid, "queues": list(queues), "last_seen": time.time() - age}
    get_redis().hset(HEARTBEATS_KEY, f"{host}:{pid}", json.dumps(record))


# --- the monitor page ---------------------------------------------------------------------


def test_the_monitor_is_for_staff_only(client):
    assert client.get("/staff/monitor/").status_code == 302  # to the (admin) login page
    client.force_login(UserFactory())
    response = client.get("/staff/monitor/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_the_monitor_shows_workers_queues_uploads_throughput_and_failures(admin_client, media_root):
    now = timezone.now()
    for minutes in (10, 20, 30):
        make_upload(ready_at=now - timedelta(minutes=minutes), created_at=now - timedelta(minutes=minutes, seconds=8))
    make_upload(status="ready", ready_at=now - timedelta(hours=5))
    make_upload(status="failed", failed_at=now - timedelta(minutes=5), error_code="pdf_encrypted", error_detail="aes")
    make_upload(status="queued")
    beat("worker-a", 11, age=2)
    beat("worker-b", 12, age=600)
    broker = dramatiq.get_broker()
    broker.flush_all()
    from uploads.tasks import process_document

    for upload_id in (1, 2):
        process_document.send(upload_id)

    response = admin_client.get("/staff/monitor/")
    assert response.status_code == 200
    ctx = response.context
    workers = {w["host"]: w["alive"] for w in ctx["workers"]}
    assert workers == {"worker-a": True, "worker-b": False}
    assert ctx["queues"]["documents"] == {"queued": 2, "delayed": 0, "in_progress": 0, "dead": 0}
    assert {value: n for value, _label, n in ctx["uploads_by_status"]} == {
        "queued": 1, "extracting": 0, "generating": 0, "ready": 4, "failed": 1,
    }  # fmt: skip
    hour, day = ctx["windows"]
    assert (hour["ready"], hour["failed"], day["ready"], day["failed"]) == (3, 1, 4, 1)
    assert hour["failure_rate"] == pytest.approx(0.25)
    assert ctx["median_seconds_to_ready"] is not None
    page = response.content.decode()
    assert "This PDF is password protected" in page and "pdf_encrypted" in page
    assert 'hx-trigger="every 10s"' in page
    assert "silent" in page and "worker-a" in page


def test_the_monitor_still_renders_when_the_broker_is_down(admin_client, settings, monkeypatch):
    from core.ops import monitor

    def broken():
        raise ConnectionError("Redis is gone")

    monkeypatch.setattr(monitor, "queue_depths", broken)
    response = admin_client.get("/staff/monitor/")
    assert response.status_code == 200
    assert "The broker did not answer" in response.content.decode()


def test_the_monitor_speaks_german(admin_client, admin_user):
    admin_user.language = "de"
    admin_user.save()
    page = admin_client.get("/staff/monitor/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Letzte Fehlschläge" in page


# --- metrics ------------------------------------------------------------------------------


def test_metrics_are_not_public_but_answer_the_token_and_staff(client, admin_client, settings):
    settings.METRICS_TOKEN = "s3cret-token"
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    make_upload(status="failed")
    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'hackthestudy_uploads{status="failed"} 1.0' in body
    assert 'hackthestudy_uploads{status="ready"} 0.0' in body
    assert "django_http_requests_total_by_view_transport_method_total" in body
    assert admin_client.get("/metrics").status_code == 200
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404


# --- the task admin -------------------------------------------------------------------------


def test_the_task_admin_lists_messages_and_escapes_their_content(admin_client):
    from uploads.tasks import process_document

    message = process_document.send("<script>alert(1)</script>")
    task = Task.tasks.get(pk=message.message_id)
    assert task.status == "enqueued"
    listing = admin_client.get("/admin/django_dramatiq/task/").content.decode()
    assert "process_document" in listing
    detail = admin_client.get(f"/admin/django_dramatiq/task/{task.pk}/change/").content.decode()
    assert "<script>alert(1)</script>" not in detail
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in detail


# --- maintenance jobs -----------------------------------------------------------------------


def test_clean_temp_files_removes_only_old_files(settings, tmp_path):
    settings.TEMP_DIR = tmp_path
    old, fresh = tmp_path / "old.upload", tmp_path / "fresh.upload"
    old.write_bytes(b"x")
    fresh.write_bytes(b"y")
    past = time.time() - (settings.TEMP_FILE_MAX_AGE_MINUTES + 5) * 60
    os.utime(old, (past, past))
    clean_temp_files()
    assert not old.exists() and fresh.exists()


def test_clean_cache_drops_orphaned_and_never_expiring_keys(settings, media_root):
    working = make_upload(status="generating")
    done = make_upload(status="ready")
    cache.set(services.text_cache_key(working.pk), "[]", timeout=3600)
    cache.set(services.text_cache_key(done.pk), "[]", timeout=3600)
    cache.set(services.text_cache_key(999_999), "[]", timeout=3600)  # upload deleted
    client = get_redis()
    client.set("openai_cache:flashcards:abc", "{}", ex=3600)
    client.set("openai_cache:flashcards:forever", "{}")
    client.set(f"openai_requests:{working.pk}:1:flashcards:abc", 2, ex=3600)
    client.set("openai_requests:999999:1:flashcards:abc", 2, ex=3600)
    clean_cache()
    assert cache.get(services.text_cache_key(working.pk)) == "[]"
    assert cache.get(services.text_cache_key(done.pk)) is None
    assert cache.get(services.text_cache_key(999_999)) is None
    assert client.exists("openai_cache:flashcards:abc") and not client.exists("openai_cache:flashcards:forever")
    assert client.exists(f"openai_requests:{working.pk}:1:flashcards:abc")
    assert not client.exists("openai_requests:999999:1:flashcards:abc")


def test_clean_cache_scans_a_bounded_number_of_keys_per_run(settings):
    settings.CACHE_CLEAN_SCAN_LIMIT = 50
    client = get_redis()
    for n in range(400):
        client.set(f"openai_cache:flashcards:k{n}", "{}")  # none expires: all should go, over several runs
    runs = 0
    while client.exists(*[f"openai_cache:flashcards:k{n}" for n in range(400)]) and runs < 50:
        deleted = maintenance.cache_clean()["openai_cache"]
        assert deleted <= 2 * 50  # SCAN's COUNT is a hint: a page may hold a few more
        runs += 1
    assert runs > 1 and not client.keys("openai_cache:flashcards:k*")


def test_health_check_records_dependencies_and_alerts_in_the_log(settings, caplog):
    settings.QUEUE_BACKLOG_ALERT = 1
    dramatiq.get_broker().flush_all()
    from uploads.tasks import process_document

    for upload_id in (1, 2, 3):
        process_document.send(upload_id)
    beat("w", 1, age=3, queues=["documents", "ai"])  # nobody consumes maintenance
    with caplog.at_level("ERROR"):
        health_check()
    record = maintenance.health_last()
    assert record["checks"]["database"]["ok"] and record["checks"]["broker"]["ok"]
    assert record["queues"]["documents"]["queued"] == 3
    assert any("queue documents holds 3" in alert for alert in record["alerts"])
    assert any("consumes queue maintenance" in alert for alert in record["alerts"])
    assert "queue documents holds 3 waiting messages" in caplog.text


def test_delete_old_tasks_keeps_recent_rows(settings):
    from uploads.tasks import process_document

    old, recent = process_document.send(1), process_document.send(2)
    Task.tasks.filter(pk=old.message_id).update(updated_at=timezone.now() - timedelta(days=30))
    delete_old_task_rows()
    assert list(Task.tasks.values_list("pk", flat=True)) == [Task.tasks.get(pk=recent.message_id).pk]


def test_every_maintenance_job_is_scheduled_on_the_maintenance_queue():
    from dramatiq_crontab import scheduler

    import accounts.tasks  # noqa: F401 - `manage.py crontab` imports every app's tasks module

    scheduled = {job.name for job in scheduler.get_jobs()}
    jobs = {"health_check", "requeue_stuck_uploads", "clean_temp_files", "clean_cache", "delete_old_task_rows"}
    assert jobs | {"flush_expired_tokens"} <= scheduled
    broker = dramatiq.get_broker()
    assert {broker.get_actor(name).queue_name for name in jobs} == {"maintenance"}


# --- upload rate ----------------------------------------------------------------------------


def test_uploads_beyond_the_rate_are_refused_with_429_and_nothing_stored(auth_client, settings, media_root):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "uploads": "3/hour"},
    }
    codes = []
    for n in range(4):
        data = documents.make_pdf([f"Dokument {n} mit genug Text für eine Seite."] * 2)
        response = auth_client.post("/api/v1/uploads/", {"file": uploaded(f"d{n}.pdf", data)}, format="multipart")
        codes.append(response.status_code)
    assert codes == [201, 201, 201, 429]
    assert response.json()["error"]["code"] == "too_many_uploads"
    assert Upload.objects.count() == 3
    assert len(list((media_root / "uploads").rglob("*.pdf"))) == 3


def test_a_late_enqueued_write_does_not_undo_a_workers_done_but_a_retry_shows_as_delayed():
    from core.worker.runtime import TaskAdminMiddleware
    from uploads.tasks import process_document

    broker, middleware = dramatiq.get_broker(), TaskAdminMiddleware()
    message = process_document.message(7)
    Task.tasks.create(id=message.message_id, status="done", message_data=message.encode())
    middleware.after_enqueue(broker, message, None)  # the sender's write arrives after the worker's
    assert Task.tasks.get(pk=message.message_id).status == "done"
    Task.tasks.filter(pk=message.message_id).update(status="failed")
    middleware.after_enqueue(broker, message, 5_000)  # Retries enqueues the same message with a delay
    assert Task.tasks.get(pk=message.message_id).status == "delayed"
