"""The uploads API as the mobile app uses it; another user's upload is a 404 everywhere."""

from __future__ import annotations

import pytest

from accounts.tests.api.test_views import assert_error
from accounts.tests.factories import UserFactory
from uploads.models import Upload
from uploads.tests import documents
from uploads.tests.conftest import stored_files
from uploads.tests.helpers import run_pipeline

pytestmark = pytest.mark.django_db


def post_file(client, name: str, data: bytes, **extra):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post("/api/v1/uploads/", {"file": SimpleUploadedFile(name, data), **extra}, format="multipart")


def test_upload_list_detail_and_items(auth_client, user):
    response = post_file(auth_client, "vectors.pdf", documents.make_pdf(), title="Vectors")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["title"], body["status"], body["kind"], body["page_count"]) == ("Vectors", "queued", "pdf", 3)
    run_pipeline(Upload.objects.get(pk=body["id"]))

    listing = auth_client.get("/api/v1/uploads/").json()
    assert listing["count"] == 1 and listing["results"][0]["status"] == "ready"
    detail = auth_client.get(f"/api/v1/uploads/{body['id']}/").json()
    assert detail["progress"] == 100 and detail["flashcard_count"] > 0
    cards = auth_client.get(f"/api/v1/uploads/{body['id']}/flashcards/").json()
    assert cards["count"] == detail["flashcard_count"]
    card = cards["results"][0]
    assert {"front", "back", "kind", "source_page", "source_snippet", "topic"} <= set(card)
    questions = auth_client.get(f"/api/v1/uploads/{body['id']}/questions/").json()["results"]
    assert len(questions[0]["options"]) == 4 and questions[0]["source_page"] in (1, 2, 3)
    topics = auth_client.get(f"/api/v1/uploads/{body['id']}/topics/").json()["results"]
    assert [t["title"] for t in topics] == ["Vectors and scalars", "Operations on vectors", "Coordinate systems"]


def test_the_same_bytes_again_return_the_existing_upload_with_200(auth_client):
    data = documents.make_docx()
    first = post_file(auth_client, "a.docx", data).json()
    again = post_file(auth_client, "b.docx", data)
    assert again.status_code == 200 and again.json()["id"] == first["id"]


@pytest.mark.parametrize(
    ("name", "data", "status", "code"),
    [
        ("slides.pdf", documents.make_pptx(), 415, "file_type_mismatch"),
        ("image.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 100, 415, "unsupported_file_type"),
        ("bomb.docx", documents.make_zip_bomb(), 400, "zip_bomb"),
    ],
)
def test_refused_files_get_a_json_error_and_nothing_is_stored(auth_client, media_root, name, data, status, code):
    error = assert_error(post_file(auth_client, name, data), status, code)
    assert error["fields"]["file"]
    assert not Upload.objects.exists() and stored_files(media_root) == []


def test_oversized_and_over_quota(auth_client, settings, media_root):
    settings.MAX_UPLOAD_MB = 1
    assert_error(post_file(auth_client, "big.txt", b"word " * 300_000), 413, "file_too_large")
    settings.MAX_UPLOADS_PER_USER = 1
    assert post_file(auth_client, "a.md", documents.make_markdown()).status_code == 201
    assert_error(post_file(auth_client, "b.pdf", documents.make_pdf()), 403, "quota_exceeded")
    assert Upload.objects.count() == 1 and len(stored_files(media_root)) == 1


def test_a_missing_file_is_a_validation_error(auth_client):
    error = assert_error(auth_client.post("/api/v1/uploads/", {}, format="multipart"), 400, "validation_error")
    assert "file" in error["fields"]


def test_another_users_upload_is_404_on_every_endpoint(auth_client, media_root):
    other = run_pipeline(
        Upload.objects.get(
            pk=post_file_as(UserFactory(), "theirs.pdf", documents.make_pdf()),
        )
    )
    base = f"/api/v1/uploads/{other.pk}/"
    for path in (base, f"{base}flashcards/", f"{base}questions/", f"{base}topics/"):
        assert_error(auth_client.get(path), 404, "not_found")
    assert_error(auth_client.post(f"{base}reprocess/"), 404, "not_found")
    assert_error(auth_client.delete(base), 404, "not_found")
    assert auth_client.get("/api/v1/uploads/").json()["count"] == 0
    other.refresh_from_db()
    assert other.status == "ready" and len(stored_files(media_root)) == 1


def post_file_as(owner, name: str, data: bytes) -> int:
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(owner)
    return post_file(client, name, data).json()["id"]


def test_reprocess_and_delete_own_upload(auth_client, media_root, django_capture_on_commit_callbacks):
    upload_id = post_file(auth_client, "a.pdf", documents.make_pdf()).json()["id"]
    assert_error(auth_client.post(f"/api/v1/uploads/{upload_id}/reprocess/"), 409, "still_processing")
    run_pipeline(Upload.objects.get(pk=upload_id))
    response = auth_client.post(f"/api/v1/uploads/{upload_id}/reprocess/")
    assert response.status_code == 202 and response.json()["status"] == "queued"
    with django_capture_on_commit_callbacks(execute=True):
        assert auth_client.delete(f"/api/v1/uploads/{upload_id}/").status_code == 204
    assert not Upload.objects.exists() and stored_files(media_root) == []


def test_uploads_require_a_token(api_client):
    assert_error(api_client.get("/api/v1/uploads/"), 401, "not_authenticated")
