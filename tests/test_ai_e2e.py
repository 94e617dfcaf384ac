"""AI generation in a real `rundramatiq` worker process, against the local fake OpenAI server."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from learning.models import Flashcard
from tests.e2e import wait_until
from tests.fake_openai import API_KEY
from uploads.models import Upload
from uploads.tests import documents

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker_env(fake_openai) -> dict[str, str]:
    return {
        "OPENAI_API_KEY": API_KEY,
        "OPENAI_BASE_URL": fake_openai.base_url,
        "OPENAI_TIMEOUT_SECONDS": "5",
        "OPENAI_CHUNK_TOKENS": "120",  # a chunk per page: several requests in parallel
    }


def upload_as(user, data: bytes, name: str) -> int:
    client = APIClient()
    client.force_authenticate(user)
    response = client.post("/api/v1/uploads/", {"file": SimpleUploadedFile(name, data)}, format="multipart")
    assert response.status_code == 201, response.content
    assert response.json()["generator"] == "openai"
    return response.json()["id"]


def finished(upload_id: int) -> Upload | None:
    upload = Upload.objects.get(pk=upload_id)
    return upload if upload.status in ("ready", "failed") else None


def test_a_german_script_is_made_by_the_ai_in_the_worker_and_a_second_upload_is_free(worker, fake_openai):
    process, _port, log_path = worker
    upload_id = upload_as(UserFactory(), documents.make_docx(documents.DE_PAGES), "skript.docx")
    upload = wait_until(lambda: finished(upload_id), timeout=60, what="the AI upload to finish")
    assert upload.status == "ready", (upload.error_code, upload.error_detail, log_path.read_text()[-2000:])
    assert upload.generator == "openai" and upload.language == "de"
    assert upload.ai_requests > 0 and upload.ai_tokens_in > 0
    fronts = Flashcard.objects.filter(upload=upload, kind="basic").values_list("front", flat=True)
    assert fronts and all(front.startswith("Was ") for front in fronts)

    calls = fake_openai.count()
    again = upload_as(UserFactory(), documents.make_docx(documents.DE_PAGES), "kopie.docx")
    other = wait_until(lambda: finished(again), timeout=60, what="the second upload to finish")
    assert other.status == "ready"
    assert other.flashcard_count == upload.flashcard_count
    assert fake_openai.count() == calls  # every answer came from the Redis cache
    assert other.ai_requests == 0 and other.ai_cached_answers > 0
    assert process.poll() is None
