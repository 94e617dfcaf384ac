"""Production's shape: the web process (gunicorn) and a real `rundramatiq` worker with different
MEDIA_ROOT folders, as App Platform's containers share no disk. The upload still reaches `ready`
through the bucket, and deleting it leaves no object behind."""

from __future__ import annotations

from pathlib import Path

import httpx2
import pytest

from core.ops.health import worker_heartbeats
from tests.e2e import process_env, start_web, start_worker, stop, wait_until
from tests.s3 import s3_server
from uploads.models import Upload
from uploads.tests import documents
from uploads.tests.conftest import stored_files

__all__ = ["s3_server"]
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct horse battery staple"


def test_web_and_worker_without_a_shared_disk_meet_in_the_bucket(s3_server, tmp_path: Path):
    web_media, worker_media = tmp_path / "web-media", tmp_path / "worker-media"
    web, base = start_web(process_env(web_media, **s3_server.env()), tmp_path / "web.log")
    worker = start_worker(process_env(worker_media, **s3_server.env()), tmp_path / "worker.log", processes=1)
    try:
        wait_until(worker_heartbeats, 60, "the worker to boot")
        http = httpx2.Client(base_url=base, timeout=30, limits=httpx2.Limits(max_keepalive_connections=0))
        assert http.post("/api/v1/auth/register/", json={"email": "s3@example.org", "password": PASSWORD}).is_success
        token = http.post("/api/v1/auth/token/", json={"email": "s3@example.org", "password": PASSWORD}).json()
        http.headers["Authorization"] = f"Bearer {token['access']}"
        pdf = documents.make_pdf(documents.EN_PAGES, title="Vectors")
        response = http.post("/api/v1/uploads/", files={"file": ("vectors.pdf", pdf)}, data={"generator": "offline"})
        assert response.status_code == 201, response.text
        upload_id = response.json()["id"]

        wait_until(
            lambda: Upload.objects.filter(pk=upload_id, status__in=["ready", "failed"]).exists(),
            90,
            "the upload to finish",
        )
        upload = Upload.objects.get(pk=upload_id)
        assert upload.status == "ready", (upload.error_code, upload.error_detail)
        cards = http.get(f"/api/v1/uploads/{upload_id}/flashcards/").json()
        assert cards["count"] > 0
        assert s3_server.keys() == [upload.file.name]
        assert stored_files(web_media) == [] and stored_files(worker_media) == []

        assert http.delete(f"/api/v1/uploads/{upload_id}/").status_code == 204
        wait_until(lambda: s3_server.keys() == [], 10, "the object to leave the bucket")
        assert web.poll() is None and worker.poll() is None
    finally:
        stop(worker)
        stop(web)
