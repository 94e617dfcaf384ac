"""Every document of ../shared/corpus/ through the API and a real `rundramatiq` worker process."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from learning.models import Flashcard, Question
from tests.e2e import get_json, wait_until
from uploads.models import Section, Upload

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
CORPUS = Path(settings.BASE_DIR).parent / "shared" / "corpus"
EXPECTED_FAILURES = {
    "encrypted_aes256_userpw_asdfzxcv.pdf": ("pdf_encrypted", "password protected"),
    "broken_not_a_valid_pdf.pdf": ("pdf_unreadable", "not a readable PDF"),
    "broken_missing_startxref_repairable.pdf": ("no_readable_text", "no readable text"),
    "en_scanned_brochure_4_rotations_image_only.pdf": ("pdf_no_text_layer", "no text layer (scanned?)"),
}


def corpus_files() -> list[Path]:
    if not CORPUS.is_dir():
        pytest.skip(f"the shared corpus is not at {CORPUS}")
    return sorted(p for p in CORPUS.iterdir() if p.suffix in (".pdf", ".docx", ".pptx"))


def page_text(upload: Upload, item: Flashcard | Question) -> str:
    if item.source_page is not None:
        texts = Section.objects.filter(upload=upload, page=item.source_page).values_list("text", flat=True)
    else:
        texts = [item.source_section.text]
    return " ".join(" ".join(texts).split())


# A course guide of links, reading lists and licence instructions: nothing a tutor would make a
# card of (its earlier items were graded 0 of 4 useful; today one card, on its one list of examples).
# It may come out empty or thin, but never silently.
LITTLE_TO_LEARN = {"en_guided_tour_image_processing_deep_learning.docx"}


def test_the_corpus_through_a_real_worker(worker, media_root, capsys):
    process, port, _log_path = worker
    client = APIClient()
    client.force_authenticate(UserFactory())
    started: dict[str, tuple[int, float]] = {}
    for path in corpus_files():
        response = client.post(
            "/api/v1/uploads/", {"file": SimpleUploadedFile(path.name, path.read_bytes())}, format="multipart"
        )
        assert response.status_code == 201, (path.name, response.content)
        started[path.name] = (response.json()["id"], time.monotonic())

    finished: dict[str, float] = {}

    def all_done() -> bool:
        for name, (upload_id, t0) in started.items():
            if name not in finished and Upload.objects.get(pk=upload_id).status in ("ready", "failed"):
                finished[name] = time.monotonic() - t0
        return len(finished) == len(started)

    wait_until(all_done, timeout=240, what="every corpus upload to finish")
    report = []
    for name, (upload_id, _t0) in started.items():
        upload = Upload.objects.get(pk=upload_id)
        report.append(
            f"{name}: {upload.status} {upload.error_code or ''} pages={upload.page_count} lang={upload.language} "
            f"cards={upload.flashcard_count} questions={upload.question_count} topics={upload.topic_count} "
            f"seconds={finished[name]:.1f}"
        )
        if name in EXPECTED_FAILURES:
            code, words = EXPECTED_FAILURES[name]
            assert (upload.status, upload.error_code) == ("failed", code), name
            assert words in upload.error_message, name
            continue
        assert upload.status == "ready", (name, upload.error_code, upload.error_detail)
        if name in LITTLE_TO_LEARN and not (upload.flashcard_count and upload.question_count):
            assert upload.generator_note in ("nothing_to_learn", "little_to_learn"), name
            assert upload.generator_message, name
            continue
        assert upload.flashcard_count > 0 and upload.question_count > 0 and upload.topic_count > 0, name
        assert upload.language == name[:2], name
        for item in [*Flashcard.objects.filter(upload=upload), *Question.objects.filter(upload=upload)]:
            assert " ".join(item.source_snippet.split()) in page_text(upload, item), (name, item.pk)
        if upload.language == "de":
            fronts = Flashcard.objects.filter(upload=upload, kind="basic").values_list("front", flat=True)
            assert all(front.startswith("Was ") for front in fronts), name
            stems = Question.objects.filter(upload=upload).values_list("stem", flat=True)
            assert all(stem.startswith(("Welcher Begriff", "Ergänze")) for stem in stems), name
    with capsys.disabled():
        print("\n" + "\n".join(report))
    assert process.poll() is None, "the worker survived every document"
    assert get_json(f"http://127.0.0.1:{port}/health")[0] == 200
