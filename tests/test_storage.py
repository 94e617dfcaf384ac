"""Uploads in object storage: the web process streams the file to an S3 bucket (private), the
worker copies it to a temporary file for extraction and removes the copy, and deleting the upload
removes the object. Against a real S3-protocol server (moto's), with the real boto3 code."""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

from tests.s3 import BUCKET, s3_server, s3_storage
from uploads import services
from uploads.models import Upload
from uploads.tests import documents
from uploads.tests.conftest import stored_files, uploaded
from uploads.tests.helpers import run_pipeline

__all__ = ["s3_server", "s3_storage"]
pytestmark = pytest.mark.django_db(transaction=True)


def temp_files() -> set[Path]:
    folder = Path(settings.TEMP_DIR)
    return {path for path in folder.rglob("*") if path.is_file()} if folder.exists() else set()


def test_an_upload_lives_in_the_bucket_privately_and_leaves_with_its_document(s3_storage, user, media_root):
    before = temp_files()
    pdf = documents.make_pdf(documents.EN_PAGES, title="Vectors")
    upload, _created = services.upload_create(owner=user, file=uploaded("vectors.pdf", pdf), generator="offline")

    [key] = s3_storage.keys()
    assert key.startswith("uploads/") and key.endswith(".pdf") and key == upload.file.name
    assert stored_files(media_root) == []  # nothing on the web process's disk
    client = s3_storage.client()
    assert client.get_object(Bucket=BUCKET, Key=key)["Body"].read() == pdf
    grants = client.get_object_acl(Bucket=BUCKET, Key=key)["Grants"]
    assert all("URI" not in grant["Grantee"] for grant in grants), grants  # no AllUsers / AuthenticatedUsers
    url = upload.file.url
    assert "X-Amz-Signature=" in url and "X-Amz-Expires=300" in url  # signed, short-lived
    with pytest.raises(urllib.error.HTTPError):  # the plain address answers no one
        urllib.request.urlopen(url.split("?")[0], timeout=5)

    upload = run_pipeline(upload)
    assert upload.status == Upload.Status.READY and upload.flashcard_count > 0
    assert temp_files() == before, "the worker's copy of the file is gone"

    services.upload_delete(upload=upload)
    assert s3_storage.keys() == []


def test_the_same_file_twice_is_one_object(s3_storage, user):
    pdf = documents.make_pdf(documents.EN_PAGES, title="Vectors")
    first, created = services.upload_create(owner=user, file=uploaded("a.pdf", pdf), generator="offline")
    again, created_again = services.upload_create(owner=user, file=uploaded("b.pdf", pdf), generator="offline")
    assert created and not created_again and again.pk == first.pk
    assert len(s3_storage.keys()) == 1
