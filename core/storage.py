"""Where uploads are kept: the local file system by default, an S3-compatible bucket in production.

App Platform's web containers and its worker share no disk, so there the file goes to a bucket
(DigitalOcean Spaces; any S3-compatible store works). The web process streams the upload to it in
parts; the worker copies it to a temporary file for extraction (`uploads.services.stored_file_path`)
and removes the copy after.
"""

from __future__ import annotations

MB = 1024 * 1024
PART_BYTES = 8 * MB  # the most of a file the web process holds at once
SIGNED_URL_SECONDS = 300


def s3_storage(*, bucket: str, endpoint_url: str, region: str, access_key: str, secret_key: str, location: str) -> dict:
    """The `STORAGES["default"]` entry of django-storages' S3 backend, private and streamed."""
    from boto3.s3.transfer import TransferConfig

    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint_url or None,
            "region_name": region or None,
            "access_key": access_key or None,
            "secret_key": secret_key or None,
            "location": location,
            # Private: no ACL is sent (the bucket's own, private); a URL, if ever made, is signed and expires.
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": SIGNED_URL_SECONDS,
            "signature_version": "s3v4",
            "file_overwrite": False,
            # Streamed in parts, one at a time: no whole file in the web process's memory. A
            # download spools to FILE_UPLOAD_TEMP_DIR (TEMP_DIR) beyond 1 MB.
            "transfer_config": TransferConfig(
                multipart_threshold=PART_BYTES, multipart_chunksize=PART_BYTES, max_concurrency=1, use_threads=False
            ),
            "max_memory_size": MB,
        },
    }
