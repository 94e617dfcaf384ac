"""Fixtures shared by every app's tests."""

from __future__ import annotations

import dramatiq
import pytest
from rest_framework.test import APIClient

from core.redis import get_redis

DATABASE_FIXTURES = {"db", "transactional_db", "django_db_blocker", "live_server"}


@pytest.fixture(autouse=True)
def _fresh_redis_keys(request: pytest.FixtureRequest) -> None:
    """Throttle counters, heartbeats, cached AI answers and queued messages live in Redis; each test
    that reaches the services (it uses the database) or asks for `redis` starts without them (a
    message left by an earlier test would reach the next test's worker). Pure-function tests need
    no Redis at all."""
    uses_services = request.node.get_closest_marker("django_db") is not None
    if not (uses_services or DATABASE_FIXTURES & set(request.fixturenames) or "redis" in request.fixturenames):
        return
    redis_flush()


def redis_flush() -> None:
    dramatiq.get_broker().flush_all()
    client = get_redis()
    for pattern in ("hts:*", "openai_cache:*", "openai_requests:*"):
        keys = list(client.scan_iter(pattern, count=1000))
        if keys:
            client.delete(*keys)


@pytest.fixture
def redis():
    """The project's Redis client, for a test that uses Redis without the database."""
    return get_redis()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def api_client() -> APIClient:
    return APIClient(raise_request_exception=False)


@pytest.fixture
def user(db):
    from accounts.tests.factories import UserFactory

    return UserFactory(password="correct horse battery staple")


@pytest.fixture
def auth_client(api_client: APIClient, user) -> APIClient:
    response = api_client.post(
        "/api/v1/auth/token/", {"email": user.email, "password": "correct horse battery staple"}, format="json"
    )
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['access']}")
    return api_client


@pytest.fixture
def media_root(settings, tmp_path):
    """Uploaded files go to the test's own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def fake_openai(settings):
    """A local OpenAI-compatible server; the real SDK talks to it over HTTP."""
    from tests.fake_openai import API_KEY, FakeOpenAI

    server = FakeOpenAI().start()
    settings.OPENAI_API_KEY = API_KEY
    settings.OPENAI_BASE_URL = server.base_url
    settings.OPENAI_TIMEOUT_SECONDS = 0.5
    settings.OPENAI_MAX_RETRIES = 1
    settings.OPENAI_CONCURRENCY = 2
    yield server
    server.stop()
