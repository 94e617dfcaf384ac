"""Malformed and hostile files through the API and a real `rundramatiq` worker.

Every file ends clearly: refused at upload (a 4xx JSON error with a stable code, nothing stored),
or an upload that fails with a code and a message for the student, or ready. Afterwards the worker
is still alive and healthy, still processes a normal document, and its memory stayed bounded:
bombs blow up only the extraction child (core/worker/guard.py).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import pymupdf
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from tests.e2e import get_json, wait_until
from uploads.models import Upload
from uploads.tests import documents

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
CORPUS = Path(settings.BASE_DIR).parent / "shared" / "corpus"
WORKER_PEAK_RSS_MB = 600
EXTRACTION_MEMORY_MB = 1024  # the lying ZIP bomb below unpacks to more than this

# name -> (outcome, error code, HTTP status of the upload request)
BROKEN_CORPUS_PDFS = {
    "broken_not_a_valid_pdf.pdf": ("failed", "pdf_unreadable", 201),
    "broken_missing_startxref_repairable.pdf": ("failed", "no_readable_text", 201),
    "encrypted_aes256_userpw_asdfzxcv.pdf": ("failed", "pdf_encrypted", 201),
    "en_scanned_brochure_4_rotations_image_only.pdf": ("failed", "pdf_no_text_layer", 201),
}
HOSTILE_FILES = {
    "zip_bomb_400mb.docx": ("refused", "zip_bomb", 400),
    # Its headers declare only the real XML, so the stream reader takes that and never unpacks the
    # 1 GB of spaces behind it: the document is read, in flat memory (python-docx ran out of memory).
    "zip_bomb_lying_sizes.docx": ("ready", "", 201),
    "billion_laughs.docx": ("failed", "docx_unreadable", 201),
    "truncated.pptx": ("refused", "file_damaged", 400),
    "empty.pdf": ("refused", "empty_file", 400),
    "too_many_pages.pdf": ("refused", "too_many_pages", 400),
    "png_named.pdf": ("refused", "unsupported_file_type", 415),
}


@dataclass
class Row:
    name: str
    outcome: str
    code: str
    message: str
    seconds: float
    upload_id: int | None = None


@pytest.fixture
def worker_env() -> dict[str, str]:
    return {"EXTRACTION_MEMORY_MB": str(EXTRACTION_MEMORY_MB)}


def png_bytes() -> bytes:
    pixmap = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 64, 64), False)
    pixmap.clear_with(128)
    return pixmap.tobytes("png")


def hostile_files() -> dict[str, bytes]:
    pptx = documents.make_pptx()
    pages = [f"Page {number}\nA short page of a far too long document." for number in range(settings.MAX_PAGES + 1)]
    return {
        "zip_bomb_400mb.docx": documents.make_docx_bomb(400),
        "zip_bomb_lying_sizes.docx": documents.make_docx_bomb(EXTRACTION_MEMORY_MB, lie_about_size=True),
        "billion_laughs.docx": documents.make_billion_laughs_docx(),
        "truncated.pptx": pptx[: len(pptx) // 2],
        "empty.pdf": b"",
        "too_many_pages.pdf": documents.make_pdf(pages, outline=False),
        "png_named.pdf": png_bytes(),
    }


def media_files(media_root: Path) -> set[str]:
    return {str(p.relative_to(media_root)) for p in media_root.rglob("*") if p.is_file()}


def upload(client: APIClient, name: str, data: bytes):
    file = SimpleUploadedFile(name, data)
    return client.post("/api/v1/uploads/", {"file": file, "generator": "offline"}, format="multipart")


def refused(name: str, response, seconds: float) -> Row:
    """A refusal: one JSON error with a code and a human message, and no upload row."""
    error = response.json()["error"]
    assert error["code"] and len(error["message"]) > 10, (name, error)
    message = " ".join(str(m) for m in error["fields"].get("file", [])) or error["message"]
    assert not Upload.objects.filter(original_name=name).exists(), name
    return Row(name, f"refused {response.status_code}", error["code"], message, seconds)


def run_through_worker(worker, client: APIClient, media_root: Path, files: dict[str, bytes]) -> list[Row]:
    process, _port, log_path = worker
    rows: list[Row] = []
    started: dict[str, tuple[int, float]] = {}
    for name, data in files.items():
        t0 = time.monotonic()
        stored_before = media_files(media_root)
        response = upload(client, name, data)
        if response.status_code == 201:
            started[name] = (response.json()["id"], t0)
            continue
        assert 400 <= response.status_code < 500, (name, response.status_code, response.content[:300])
        assert media_files(media_root) == stored_before, f"{name} left a file behind"
        rows.append(refused(name, response, time.monotonic() - t0))

    finished: dict[str, float] = {}

    def all_done() -> bool:
        assert process.poll() is None, f"the worker died: {log_path.read_text()[-3000:]}"
        for name, (upload_id, t0) in started.items():
            if name not in finished and Upload.objects.get(pk=upload_id).status in ("ready", "failed"):
                finished[name] = time.monotonic() - t0
        return len(finished) == len(started)

    wait_until(all_done, timeout=150, what="every accepted file to finish")
    for name, (upload_id, _t0) in started.items():
        detail = client.get(f"/api/v1/uploads/{upload_id}/").json()
        rows.append(
            Row(name, detail["status"], detail["error_code"], detail["error_message"], finished[name], upload_id)
        )
    stored = {Upload.objects.get(pk=upload_id).file.name for upload_id, _t0 in started.values()}
    assert media_files(media_root) == stored, "exactly the accepted files are stored"
    return rows


def check_outcomes(rows: list[Row], expected: dict[str, tuple[str, str, int]]) -> None:
    assert {row.name for row in rows} == set(expected)
    for row in rows:
        outcome, code, status = expected[row.name]
        if outcome == "refused":
            assert (row.outcome, row.code) == (f"refused {status}", code), row
        else:
            assert (row.outcome, row.code) == (outcome, code), row
        if outcome != "ready":
            assert len(row.message) > 10, f"{row.name}: the student is told why ({row})"


def print_table(rows: list[Row], capsys) -> None:
    with capsys.disabled():
        print()
        for row in rows:
            print(f"{row.name:50} {row.outcome:12} {row.code or '-':22} {row.seconds:6.1f}s  {row.message[:70]}")


def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue  # the process ended meanwhile
        children.setdefault(parent, []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo += children.get(current, [])
    return found


def peak_rss_mb(pid: int) -> float:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0  # the process ended meanwhile
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def assert_the_worker_survived(worker, client: APIClient, capsys) -> None:
    process, port, log_path = worker
    assert process.poll() is None, "the worker survived every file"
    assert get_json(f"http://127.0.0.1:{port}/health")[0] == 200
    pages = [page.replace("vector", "arrow") for page in documents.EN_PAGES]  # bytes no other test uploads
    response = upload(client, "afterwards.docx", documents.make_docx(pages))
    assert response.status_code == 201, response.content
    upload_id = response.json()["id"]
    wait_until(
        lambda: Upload.objects.get(pk=upload_id).status in ("ready", "failed"),
        timeout=60,
        what="a normal document after the hostile ones",
    )
    detail = client.get(f"/api/v1/uploads/{upload_id}/").json()
    assert detail["status"] == "ready", (detail, log_path.read_text()[-2000:])
    assert detail["flashcard_count"] > 0
    peaks = {pid: mb for pid in descendants(process.pid) if (mb := peak_rss_mb(pid))}  # zombies have no memory
    with capsys.disabled():
        print("worker peak RSS (VmHWM, MB): " + ", ".join(f"pid {pid}: {mb:.0f}" for pid, mb in peaks.items()))
    assert len(peaks) >= 3, "the main process and its two worker processes"
    assert max(peaks.values()) < WORKER_PEAK_RSS_MB, peaks
    assert process.poll() is None


def test_hostile_files_end_clearly_and_the_worker_survives(worker, media_root, capsys):
    client = APIClient()
    client.force_authenticate(UserFactory())
    rows = run_through_worker(worker, client, media_root, hostile_files())
    print_table(rows, capsys)
    check_outcomes(rows, HOSTILE_FILES)
    assert_the_worker_survived(worker, client, capsys)


def test_broken_pdfs_of_the_corpus_fail_with_a_clear_message(worker, media_root, capsys):
    if not CORPUS.is_dir():
        pytest.skip(f"the shared corpus is not at {CORPUS}")
    client = APIClient()
    client.force_authenticate(UserFactory())
    files = {name: (CORPUS / name).read_bytes() for name in BROKEN_CORPUS_PDFS}
    rows = run_through_worker(worker, client, media_root, files)
    print_table(rows, capsys)
    check_outcomes(rows, BROKEN_CORPUS_PDFS)
    assert_the_worker_survived(worker, client, capsys)


def test_a_utf16_text_file_is_read(worker, media_root):
    client = APIClient()
    client.force_authenticate(UserFactory())
    text = "\n\n".join(page.replace("\n", "\n\n") for page in documents.EN_PAGES)
    response = upload(client, "notes.txt", text.encode("utf-16"))
    assert response.status_code == 201, response.json()
    upload_id = response.json()["id"]
    wait_until(lambda: Upload.objects.get(pk=upload_id).status in ("ready", "failed"), 60, "the text file")
    detail = client.get(f"/api/v1/uploads/{upload_id}/").json()
    assert detail["status"] == "ready" and detail["language"] == "en", detail
