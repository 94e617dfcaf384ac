"""A local server that speaks the S3 protocol (moto's standalone server, in a process of its own),
and the settings that point django-storages at it. The real boto3 code runs against it over HTTP,
as against DigitalOcean Spaces: a protocol-level fake, like the OpenAI one."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest

from tests.e2e import free_port, wait_until

BUCKET = "hackthestudy-test"
REGION = "us-east-1"
KEYS = {"AWS_ACCESS_KEY_ID": "test-access-key", "AWS_SECRET_ACCESS_KEY": "test-secret-key"}


@dataclass
class S3Server:
    endpoint: str
    process: subprocess.Popen

    def client(self):
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=KEYS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=KEYS["AWS_SECRET_ACCESS_KEY"],
        )

    def keys(self) -> list[str]:
        listing = self.client().list_objects_v2(Bucket=BUCKET)
        return sorted(item["Key"] for item in listing.get("Contents", []))

    def env(self) -> dict[str, str]:
        """What a web or worker process needs to keep its uploads in the bucket."""
        return {
            "AWS_STORAGE_BUCKET_NAME": BUCKET,
            "AWS_S3_ENDPOINT_URL": self.endpoint,
            "AWS_S3_REGION_NAME": REGION,
            **KEYS,
        }


def _answers(endpoint: str) -> bool:
    import urllib.request

    try:
        with urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture
def s3_server(tmp_path: Path):
    port = free_port()
    log = (tmp_path / "moto.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    server = S3Server(f"http://127.0.0.1:{port}", process)
    try:
        wait_until(lambda: _answers(server.endpoint), timeout=30, what="the S3 server to answer")
        server.client().create_bucket(Bucket=BUCKET)
        yield server
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@pytest.fixture
def s3_storage(settings, s3_server: S3Server) -> S3Server:
    """This test's uploads go to the bucket (django-storages' S3 backend, real boto3)."""
    from core.storage import s3_storage as storage_entry

    settings.STORAGES = {
        **settings.STORAGES,
        "default": storage_entry(
            bucket=BUCKET,
            endpoint_url=s3_server.endpoint,
            region=REGION,
            access_key=KEYS["AWS_ACCESS_KEY_ID"],
            secret_key=KEYS["AWS_SECRET_ACCESS_KEY"],
            location="",
        ),
    }
    return s3_server
