"""The document pages as a student uses them, and what another student cannot reach."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.tests.factories import UserFactory
from uploads.models import Upload
from uploads.services import upload_create
from uploads.tests import documents
from uploads.tests.conftest import stored_files
from uploads.tests.helpers import run_pipeline

pytestmark = pytest.mark.django_db


@pytest.fixture
def student_client(client):
    client.force_login(UserFactory(language="en"))
    return client


def upload_via_web(client, name: str, data: bytes):
    return client.post("/documents/new/", {"file": SimpleUploadedFile(name, data), "title": ""})


def test_upload_page_shows_the_limits(student_client, settings):
    settings.MAX_UPLOAD_MB = 42
    html = student_client.get("/documents/new/").content.decode()
    assert "42 MB" in html and 'type="file"' in html


def test_upload_then_watch_progress_then_study_material(student_client):
    response = upload_via_web(student_client, "vectors.pdf", documents.make_pdf())
    upload = Upload.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/documents/{upload.pk}/"

    page = student_client.get(f"/documents/{upload.pk}/").content.decode()
    assert 'hx-trigger="every 2s"' in page and "Waiting for a worker" in page

    run_pipeline(upload)
    fragment = student_client.get(f"/documents/{upload.pk}/status/?was=processing")
    assert fragment["HX-Refresh"] == "true"
    assert "every 2s" not in fragment.content.decode()

    page = student_client.get(f"/documents/{upload.pk}/").content.decode()
    assert "Operations on vectors" in page
    assert "What is a vector?" in page or "What is meant by “dot product”?" in page
    assert "p. 2" in page
    listing = student_client.get("/documents/").content.decode()
    assert "vectors" in listing and "Ready" in listing


def test_a_refused_upload_shows_the_reason(student_client, media_root):
    response = upload_via_web(student_client, "slides.pdf", documents.make_pptx())
    assert response.status_code == 400
    assert "PowerPoint" in response.content.decode()
    assert stored_files(media_root) == []


def test_a_failed_upload_shows_its_message_and_try_again(student_client):
    upload_via_web(student_client, "locked.pdf", documents.make_encrypted_pdf())
    upload = run_pipeline(Upload.objects.get())
    html = student_client.get(f"/documents/{upload.pk}/").content.decode()
    assert "password protected" in html and "Try again" in html
    response = student_client.post(f"/documents/{upload.pk}/reprocess/")
    assert response.status_code == 302
    upload.refresh_from_db()
    assert upload.status == "queued"


def test_delete_asks_first(student_client, media_root, django_capture_on_commit_callbacks):
    upload_via_web(student_client, "a.md", documents.make_markdown())
    upload = Upload.objects.get()
    assert "cannot be undone" in student_client.get(f"/documents/{upload.pk}/delete/").content.decode()
    assert Upload.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        student_client.post(f"/documents/{upload.pk}/delete/")
    assert not Upload.objects.exists() and stored_files(media_root) == []


def test_the_pages_speak_german(client):
    client.force_login(UserFactory(language="de"))
    upload_via_web(client, "locked.pdf", documents.make_encrypted_pdf())
    upload = run_pipeline(Upload.objects.get())
    html = client.get(f"/documents/{upload.pk}/").content.decode()
    assert "passwortgeschützt" in html and "Erneut versuchen" in html


def test_another_student_cannot_see_fetch_reprocess_or_delete(client, media_root):
    owner = UserFactory()
    client.force_login(owner)
    upload_via_web(client, "mine.pdf", documents.make_pdf())
    upload = run_pipeline(Upload.objects.get())
    client.force_login(UserFactory())
    for path in ("", "status/", "delete/"):
        assert client.get(f"/documents/{upload.pk}/{path}").status_code == 404
    assert client.post(f"/documents/{upload.pk}/reprocess/").status_code == 404
    assert client.post(f"/documents/{upload.pk}/delete/").status_code == 404
    assert "mine" not in client.get("/documents/").content.decode()
    upload.refresh_from_db()
    assert upload.status == "ready" and len(stored_files(media_root)) == 1


def test_documents_require_login(client):
    assert client.get("/documents/").status_code == 302


def test_staff_reprocess_from_the_admin_skips_uploads_still_processing(admin_client):
    owner = UserFactory()
    admin_client.force_login(UserFactory(is_staff=True, is_superuser=True))
    from uploads.services import upload_create

    busy, _created = upload_create(owner=owner, file=SimpleUploadedFile("a.md", documents.make_markdown()))
    done = run_pipeline(upload_create(owner=owner, file=SimpleUploadedFile("b.pdf", documents.make_pdf()))[0])
    response = admin_client.post(
        "/admin/uploads/upload/", {"action": "reprocess", "_selected_action": [busy.pk, done.pk]}, follow=True
    )
    assert "1 uploads queued again." in response.content.decode()
    done.refresh_from_db()
    busy.refresh_from_db()
    assert (done.status, done.run, busy.run) == ("queued", 2, 1)


def test_staff_read_extracted_sections_but_cannot_change_them(admin_client, media_root):
    upload = run_pipeline(upload_create(owner=UserFactory(), file=SimpleUploadedFile("b.pdf", documents.make_pdf()))[0])
    section = upload.sections.first()
    assert admin_client.get(f"/admin/uploads/section/{section.pk}/change/").status_code == 200  # the view page
    changed = admin_client.post(f"/admin/uploads/section/{section.pk}/change/", {"text": "rewritten"})
    assert changed.status_code == 403
    assert admin_client.post(f"/admin/uploads/section/{section.pk}/delete/", {"post": "yes"}).status_code == 403
    section.refresh_from_db()
    assert section.text != "rewritten"


def test_a_student_can_choose_the_offline_generator_and_retry_a_failed_ai_upload_offline(
    student_client, fake_openai, settings
):
    html = student_client.get("/documents/new/").content.decode()
    assert 'name="generator"' in html and "The offline generator" in html

    student_client.post(
        "/documents/new/", {"file": SimpleUploadedFile("a.pdf", documents.make_pdf()), "generator": "offline"}
    )
    assert run_pipeline(Upload.objects.get()).generator == "offline"
    assert fake_openai.count() == 0

    settings.OPENAI_API_KEY = "sk-revoked"
    upload_via_web(student_client, "b.pdf", documents.make_pdf(documents.DE_PAGES))
    failed = run_pipeline(Upload.objects.get(original_name="b.pdf"))
    assert (failed.generator, failed.status, failed.error_code) == ("openai", "failed", "ai_auth")
    page = student_client.get(f"/documents/{failed.pk}/").content.decode()
    assert "did not accept our credentials" in page and "Try again with the offline generator" in page

    student_client.post(f"/documents/{failed.pk}/reprocess/", {"generator": "offline"})
    retried = run_pipeline(Upload.objects.get(pk=failed.pk))
    assert (retried.generator, retried.status) == ("offline", "ready") and retried.flashcard_count > 0
