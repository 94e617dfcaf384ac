"""A misbehaving AI provider, seen from a real `rundramatiq` worker and the real `openai` SDK.

The local fake answers 429, 500, timeouts, broken JSON, invalid structured output and refusals.
Passing faults are retried and the upload ends ready; permanent ones fail it with a message for
the student. Either way the requests the fake received (what OpenAI would bill) stay within the
configured cap: OPENAI_MAX_REQUESTS_PER_CHUNK per chunk and task in one run, across the SDK's
and Dramatiq's retries.
"""

from __future__ import annotations

import time
from collections import Counter

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from learning.generation.chunking import chunk_sections
from learning.generation.drafts import SourceSection
from tests.e2e import get_json, wait_until
from tests.fake_openai import API_KEY, FakeOpenAI
from uploads.models import Section, Upload
from uploads.tests import documents

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
REQUESTS_PER_CHUNK = 3  # OPENAI_MAX_REQUESTS_PER_CHUNK
SDK_RETRIES = 1  # OPENAI_MAX_RETRIES: two tries per actor attempt, so the cap ends the second attempt
CONCURRENCY = 2
CHUNK_TOKENS = 120  # a chunk per page
STAGES = 3  # flashcards, questions, topics
PERMANENT_FAULTS = ["500", "429", "timeout", "invalid_output", "invalid_json", "refusal"]


@pytest.fixture
def worker_env(fake_openai: FakeOpenAI, request) -> dict[str, str]:
    fake_openai.timeout_sleep = 2.0  # twice the SDK's timeout
    return {
        "OPENAI_API_KEY": getattr(request, "param", API_KEY),  # a test parametrizes a revoked key
        "OPENAI_BASE_URL": fake_openai.base_url,
        "OPENAI_TIMEOUT_SECONDS": "1",
        "OPENAI_MAX_RETRIES": str(SDK_RETRIES),
        "OPENAI_MAX_REQUESTS_PER_CHUNK": str(REQUESTS_PER_CHUNK),
        "OPENAI_CONCURRENCY": str(CONCURRENCY),
        "OPENAI_CHUNK_TOKENS": str(CHUNK_TOKENS),
    }


def pages_with(needle: str) -> list[str]:
    """Two pages that only this test's document has: the fake can poison it, its requests can be counted."""
    return [f"{page} The code word of this handout is {needle}." for page in documents.EN_PAGES[:2]]


def upload(client: APIClient, needle: str) -> int:
    file = SimpleUploadedFile(f"{needle}.pdf", documents.make_pdf(pages_with(needle)))
    response = client.post("/api/v1/uploads/", {"file": file, "generator": "ai"}, format="multipart")
    assert response.status_code == 201, response.content
    assert response.json()["generator"] == "openai"
    return response.json()["id"]


def finished(worker, upload_id: int) -> Upload | None:
    process, _port, log_path = worker
    assert process.poll() is None, f"the worker died: {log_path.read_text()[-3000:]}"
    upload = Upload.objects.get(pk=upload_id)
    return upload if upload.status in ("ready", "failed") else None


def request_bound(upload_id: int) -> tuple[int, int]:
    """(chunks, most requests the document may cost): every task's chunks, the cards' and questions'
    coverage top-up (at most as many chunks again) and the one request that merges the outlines."""
    sections = [
        SourceSection(s.order, s.text, s.page, s.heading_path, s.heading_level)
        for s in Section.objects.filter(upload_id=upload_id).order_by("order")
    ]
    chunks = len(chunk_sections(sections, CHUNK_TOKENS))
    return chunks, REQUESTS_PER_CHUNK * (STAGES * chunks + 2 * chunks + 1)


def requests_for(fake: FakeOpenAI, needle: str) -> list:
    return [r for r in fake.requests if needle in r.text]


def most_per_chunk(requests: list) -> int:
    """The most requests one chunk of one task cost (the prompt names the task and the item count)."""
    return max(Counter((r.schema, r.system, r.text) for r in requests).values(), default=0)


def assert_the_worker_is_healthy(worker) -> None:
    process, port, _log_path = worker
    assert process.poll() is None
    assert get_json(f"http://127.0.0.1:{port}/health")[0] == 200


def report(capsys, rows: list[tuple]) -> None:
    with capsys.disabled():
        print()
        for scenario, status, code, calls, bound, per_chunk, seconds in rows:
            print(
                f"{scenario:28} {status:7} {code or '-':15} calls={calls:3} bound={bound:3} "
                f"max/chunk={per_chunk}/{REQUESTS_PER_CHUNK} {seconds:5.1f}s"
            )


def test_passing_faults_are_retried_and_the_upload_is_ready(worker, fake_openai, capsys):
    fake_openai.faults += ["429", "500", "timeout", "invalid_json", "invalid_output", "refusal"]
    client = APIClient()
    client.force_authenticate(UserFactory())
    t0 = time.monotonic()
    upload_id = upload(client, "Passingfaults")
    done = wait_until(lambda: finished(worker, upload_id), timeout=60, what="the upload to finish")
    seconds = time.monotonic() - t0

    assert done.status == "ready", (done.error_code, done.error_detail, worker[2].read_text()[-3000:])
    assert done.flashcard_count > 0 and done.question_count > 0 and done.topic_count > 0
    assert not fake_openai.faults, "every scripted fault was served"
    chunks, bound = request_bound(upload_id)
    calls = fake_openai.count()
    assert chunks >= 2
    assert calls <= bound and most_per_chunk(fake_openai.requests) <= REQUESTS_PER_CHUNK
    wait_until(lambda: Upload.objects.get(pk=upload_id).ai_requests == calls, 15, "the cost ledger")
    report(capsys, [("passing faults", done.status, "", calls, bound, most_per_chunk(fake_openai.requests), seconds)])
    assert_the_worker_is_healthy(worker)


def test_permanent_faults_fail_the_upload_within_the_request_cap(worker, fake_openai, capsys):
    client = APIClient()
    client.force_authenticate(UserFactory())
    started: dict[str, tuple[str, int, float]] = {}
    for fault in PERMANENT_FAULTS:
        needle = f"Poisoned{fault.replace('_', '').title()}"
        fake_openai.poison[needle] = fault
        started[fault] = (needle, upload(client, needle), time.monotonic())
    seconds: dict[str, float] = {}

    def all_finished() -> bool:
        for fault, (_needle, upload_id, t0) in started.items():
            if fault not in seconds and finished(worker, upload_id):
                seconds[fault] = time.monotonic() - t0
        return len(seconds) == len(started)

    wait_until(all_finished, timeout=90, what="every poisoned upload to finish")
    rows = []
    for fault, (needle, upload_id, _t0) in started.items():
        detail = client.get(f"/api/v1/uploads/{upload_id}/").json()
        assert (detail["status"], detail["error_code"]) == ("failed", "ai_unavailable"), (fault, detail)
        assert "offline generator" in detail["error_message"], detail
        chunks, bound = request_bound(upload_id)
        requests = requests_for(fake_openai, needle)
        row = (f"always {fault}", detail["status"], detail["error_code"], len(requests), bound)
        rows.append((*row, most_per_chunk(requests), seconds[fault]))
        assert chunks >= 2
        assert len(requests) <= bound, (fault, len(requests), bound)
        assert most_per_chunk(requests) <= REQUESTS_PER_CHUNK, fault
    report(capsys, rows)

    def ledgers_match() -> bool:
        return all(
            Upload.objects.get(pk=upload_id).ai_requests == len(requests_for(fake_openai, needle))
            for needle, upload_id, _t0 in started.values()
        )

    wait_until(ledgers_match, timeout=30, what="each upload's cost ledger to match the requests the fake received")
    assert_the_worker_is_healthy(worker)


@pytest.mark.parametrize("worker_env", ["sk-revoked"], indirect=True)
def test_a_revoked_key_fails_the_upload_at_once(worker, fake_openai, capsys):
    client = APIClient()
    client.force_authenticate(UserFactory())
    # "At once" counts from a worker that runs: its boot (10 s and more on a busy machine) is not the upload's.
    _process, port, _log = worker
    wait_until(lambda: get_json(f"http://127.0.0.1:{port}/health")[0] == 200, timeout=60, what="the worker to start")
    t0 = time.monotonic()
    upload_id = upload(client, "Revokedkey")
    done = wait_until(lambda: finished(worker, upload_id), timeout=30, what="the upload to finish")
    seconds = time.monotonic() - t0

    detail = client.get(f"/api/v1/uploads/{upload_id}/").json()
    assert (detail["status"], detail["error_code"]) == ("failed", "ai_auth"), done.error_detail
    assert "credentials" in detail["error_message"]
    chunks, _bound = request_bound(upload_id)
    calls = fake_openai.count()
    # No retries: at most the requests already in flight when the first 401 came back, one per chunk.
    assert calls <= STAGES * min(chunks, CONCURRENCY)
    assert most_per_chunk(fake_openai.requests) == 1
    assert seconds < 15
    report(
        capsys,
        [
            (
                "revoked key (401)",
                detail["status"],
                detail["error_code"],
                calls,
                STAGES * min(chunks, CONCURRENCY),
                1,
                seconds,
            )
        ],
    )
    assert_the_worker_is_healthy(worker)
