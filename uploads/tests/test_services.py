"""Upload, processing, reprocessing and deletion through the services."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError

from accounts.tests.factories import UserFactory
from learning.models import Flashcard, Topic
from uploads import services
from uploads.models import Section, Upload
from uploads.tasks import process_document
from uploads.tests import documents
from uploads.tests.conftest import stored_files, uploaded
from uploads.tests.helpers import run_pipeline

pytestmark = pytest.mark.django_db


def create(user, name: str, data: bytes, **kwargs) -> tuple[Upload, bool]:
    return services.upload_create(owner=user, file=uploaded(name, data), **kwargs)


def test_an_upload_is_stored_hashed_and_queued_after_commit(django_capture_on_commit_callbacks, media_root):
    user = UserFactory()
    with django_capture_on_commit_callbacks() as callbacks:
        upload, created = create(user, "vectors.pdf", documents.make_pdf(title="Vector Boot Camp"))
    assert created and len(callbacks) == 1
    assert (upload.kind, upload.page_count, upload.status, upload.title) == ("pdf", 3, "queued", "Vector Boot Camp")
    assert len(upload.sha256) == 64 and upload.size > 0
    assert [p.read_bytes()[:5] for p in stored_files(media_root)] == [b"%PDF-"]
    assert "vectors" not in stored_files(media_root)[0].name  # never the client's name on disk


def test_the_title_defaults_to_the_file_name_and_can_be_given():
    user = UserFactory()
    assert (
        create(user, "Skript Kapitel 2.md", documents.make_markdown(documents.DE_PAGES))[0].title == "Skript Kapitel 2"
    )
    upload, _created = create(user, "notes.txt", b"Plain notes about vectors. " * 20)
    assert upload.title == "notes"
    upload, _created = create(user, "x.docx", documents.make_docx(), title="  My script ")
    assert upload.title == "My script"


def test_the_same_bytes_uploaded_twice_are_processed_once(django_capture_on_commit_callbacks, media_root):
    user = UserFactory()
    data = documents.make_pdf()
    with django_capture_on_commit_callbacks() as callbacks:
        first, created_first = create(user, "a.pdf", data)
        second, created_second = create(user, "renamed copy.pdf", data)
    assert created_first and not created_second and first.pk == second.pk
    assert len(callbacks) == 1 and len(stored_files(media_root)) == 1
    other, created_other = create(UserFactory(), "a.pdf", data)
    assert created_other and other.pk != first.pk


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("slides.pdf", documents.make_pptx(), "file_type_mismatch"),
        ("notes.docx", documents.make_pdf(), "file_type_mismatch"),
        ("picture.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 500, "unsupported_file_type"),
        ("archive.zip", documents.make_zip_bomb("other.xml", size_mb=1), "unsupported_file_type"),
        ("empty.txt", b"", "empty_file"),
    ],
)
def test_mislabelled_and_unsupported_files_are_refused_with_nothing_stored(name, data, code, media_root):
    with pytest.raises(ValidationError) as excinfo:
        create(UserFactory(), name, data)
    assert excinfo.value.rejection_code == code
    assert not Upload.objects.exists() and stored_files(media_root) == []


def test_an_oversized_file_is_refused_with_nothing_stored(settings, media_root):
    settings.MAX_UPLOAD_MB = 1
    data = documents.make_pdf() + b"\n%" + b"0" * (1024 * 1024)
    with pytest.raises(ValidationError) as excinfo:
        create(UserFactory(), "big.pdf", data)
    assert (excinfo.value.rejection_code, excinfo.value.status_code) == ("file_too_large", 413)
    assert not Upload.objects.exists() and stored_files(media_root) == []


def test_too_many_pages_are_refused_at_upload(settings, media_root):
    settings.MAX_PAGES = 2
    with pytest.raises(ValidationError) as excinfo:
        create(UserFactory(), "a.pdf", documents.make_pdf())
    assert excinfo.value.rejection_code == "too_many_pages"
    assert stored_files(media_root) == []


def test_an_upload_over_the_quota_is_refused(settings, media_root):
    settings.MAX_UPLOADS_PER_USER = 2
    user = UserFactory()
    create(user, "a.txt", b"First document about vectors and scalars. " * 10)
    create(user, "b.txt", b"Second document about vectors and scalars. " * 10)
    with pytest.raises(ValidationError) as excinfo:
        create(user, "c.txt", b"Third document about vectors and scalars. " * 10)
    assert (excinfo.value.rejection_code, excinfo.value.status_code) == ("quota_exceeded", 403)
    assert Upload.objects.count() == 2 and len(stored_files(media_root)) == 2


def test_a_message_delivered_twice_processes_once(django_capture_on_commit_callbacks):
    upload, _created = create(UserFactory(), "a.pdf", documents.make_pdf())
    with django_capture_on_commit_callbacks() as callbacks:
        process_document(upload.pk)
        process_document(upload.pk)
    assert len(callbacks) == 1, "generation is started once"
    assert Section.objects.filter(upload=upload).count() == 6


def test_a_failed_upload_keeps_its_message_and_can_be_retried():
    upload = run_pipeline(create(UserFactory(), "locked.pdf", documents.make_encrypted_pdf())[0])
    assert (upload.status, upload.error_code) == ("failed", "pdf_encrypted")
    assert "password protected" in upload.error_message
    upload = services.upload_reprocess(upload=upload)
    assert upload.status == "queued" and upload.error_code == ""


def test_delete_removes_file_rows_and_cache(django_capture_on_commit_callbacks, media_root):
    upload = run_pipeline(create(UserFactory(), "a.pdf", documents.make_pdf())[0])
    assert cache.get(services.text_cache_key(upload.pk)) is not None
    with django_capture_on_commit_callbacks(execute=True):
        services.upload_delete(upload=upload)
    assert stored_files(media_root) == []
    assert not Section.objects.exists() and not Flashcard.objects.exists() and not Topic.objects.exists()
    assert cache.get(services.text_cache_key(upload.pk)) is None


def test_generation_reads_the_database_when_the_cache_is_gone():
    upload, _created = create(UserFactory(), "a.pdf", documents.make_pdf())
    process_document(upload.pk)
    cache.delete(services.text_cache_key(upload.pk))
    sections = services.sections_load(upload.pk)
    assert len(sections) == 6 and cache.get(services.text_cache_key(upload.pk)) is not None


def test_each_processing_step_records_its_time():
    from uploads.timings import timings_get

    upload = run_pipeline(create(UserFactory(), "a.pdf", documents.make_pdf())[0])
    steps = timings_get(upload.pk)
    expected = {"extract", "store", "generation_start", "finish_write"}
    expected |= {f"{stage}_{part}" for stage in ("flashcards", "questions", "topics") for part in ("total", "write")}
    assert set(steps) == expected
    assert all(ms > 0 for ms in steps.values())
    assert steps["flashcards_write"] < steps["flashcards_total"]


@pytest.mark.django_db(transaction=True)
def test_deleting_while_the_worker_writes_sections_waits_for_it_and_leaves_nothing(media_root):
    """The worker's transaction moves the upload on and inserts its sections (as `_store_extraction`
    does) and has not committed when the student deletes the document: the delete waits for it,
    then removes the sections too. It used to collect the rows first and fail on the foreign keys
    of the sections committed meanwhile (500, and the upload stayed)."""
    import threading
    import time

    from django.db import connection, transaction

    upload = create(UserFactory(), "a.pdf", documents.make_pdf())[0]
    inserted, release, finished = threading.Event(), threading.Event(), []

    def worker_writes() -> None:
        try:
            with transaction.atomic():
                Upload.objects.filter(pk=upload.pk).update(status="generating", progress=40)
                Section.objects.create(upload_id=upload.pk, order=0, text="Die Wartezeit hängt ab.")
                inserted.set()
                release.wait(10)
            finished.append("committed")
        finally:
            connection.close()

    thread = threading.Thread(target=worker_writes)
    thread.start()
    assert inserted.wait(10)
    threading.Timer(0.5, release.set).start()  # the worker commits while the delete is under way
    started = time.monotonic()
    services.upload_delete(upload=upload)
    thread.join(10)
    assert finished == ["committed"] and time.monotonic() - started >= 0.4  # it waited for the worker
    assert not Upload.objects.filter(pk=upload.pk).exists() and not Section.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_parallel_uploads_never_pass_the_quota(settings, media_root, monkeypatch):
    """8 at once with one place left: one is stored, seven are refused, and their files are gone."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    from uploads.errors import UploadRejected

    settings.MAX_UPLOADS_PER_USER = 3
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "uploads": "100/hour"},
    }
    user = UserFactory()
    for n in range(2):
        create(user, f"{n}.md", documents.make_markdown([f"Kapitel {n}\nDie Wartezeit Nummer {n} ist kurz."]))

    # Every upload has passed the first quota check before any is saved: the race, every time.
    barrier, inspect = threading.Barrier(8, timeout=20), services.intake.inspect_file
    monkeypatch.setattr(services.intake, "inspect_file", lambda *args: barrier.wait() is not None and inspect(*args))

    def upload(n: int) -> str:
        try:
            data = documents.make_markdown([f"Teil {n}\nDie Bedienzeit Nummer {n} ist lang und variabel."])
            create(user, f"p{n}.md", data)
            return "stored"
        except UploadRejected as exc:
            return exc.rejection_code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = sorted(pool.map(upload, range(8)))
    assert outcomes == ["quota_exceeded"] * 7 + ["stored"]
    assert Upload.objects.filter(owner=user).count() == 3
    assert len(stored_files(media_root)) == 3


def test_a_docx_title_is_read_as_xml_text_and_shown_escaped(client, media_root):
    """core.xml holds "&lt;svg onload=…&gt; Vektoren &amp; Skalare": the title is that text, and
    the page shows it as text, never as markup."""
    import io

    import docx

    document = docx.Document(io.BytesIO(documents.make_docx(documents.DE_PAGES)))
    document.core_properties.title = "<svg onload=alert(1)> Vektoren & Skalare"
    buffer = io.BytesIO()
    document.save(buffer)
    user = UserFactory()
    upload, _created = create(user, "v.docx", buffer.getvalue())
    assert upload.title == "<svg onload=alert(1)> Vektoren & Skalare"
    client.force_login(user)
    page = client.get(f"/documents/{upload.pk}/").content.decode()
    assert "&lt;svg onload=alert(1)&gt; Vektoren &amp; Skalare" in page and "<svg onload" not in page


def test_a_docx_with_more_xml_than_a_worker_can_parse_is_refused_at_upload_with_nothing_stored(settings, media_root):
    """The low-ratio bomb: compression ratio and total size within the ZIP limits, but more XML
    than python-docx can hold in the worker's memory (a 26 MB file of 262 MB XML took 966 MB)."""
    import io
    import zipfile

    from uploads.errors import UploadRejected

    settings.ZIP_MAX_XML_MB = 1
    text = " ".join(f"Wort{n}" for n in range(250_000))  # ~2 MB of XML, random enough for ratio < 200
    paragraphs = "".join(f"<w:p><w:r><w:t>{text[i : i + 500]}</w:t></w:r></w:p>" for i in range(0, len(text), 500))
    original = io.BytesIO(documents.make_docx(documents.DE_PAGES))
    bloated = io.BytesIO()
    with zipfile.ZipFile(original) as source, zipfile.ZipFile(bloated, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "word/document.xml":
                data = data.replace(b"</w:body>", paragraphs.encode() + b"</w:body>")
            target.writestr(item, data)
    with pytest.raises(UploadRejected) as refused:
        create(UserFactory(), "gross.docx", bloated.getvalue())
    assert refused.value.rejection_code == "document_too_big" and refused.value.status_code == 413
    assert "Split it into smaller parts" in refused.value.messages[0]
    assert stored_files(media_root) == [] and not Upload.objects.exists()


def test_a_worker_process_runs_one_extraction_child_at_a_time(settings, monkeypatch):
    """processes x EXTRACTION_CONCURRENCY x EXTRACTION_MEMORY_MB is what extraction may take."""
    import threading
    import time
    from types import SimpleNamespace

    monkeypatch.setattr(services.processing, "_extraction_slots", None)
    settings.EXTRACTION_CONCURRENCY = 1
    running, peak, lock = [0], [0], threading.Lock()

    def child(*args, **kwargs):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.2)
        with lock:
            running[0] -= 1

    monkeypatch.setattr(services.processing, "run_guarded", child)
    monkeypatch.setattr(
        services.processing, "stored_file_path", lambda upload: __import__("contextlib").nullcontext("x")
    )
    upload = SimpleNamespace(kind="pdf")
    threads = [threading.Thread(target=services.processing._extract, args=(upload,)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert peak[0] == 1
