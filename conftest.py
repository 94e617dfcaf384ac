"""Fixtures shared by every app's tests."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from hackthestudy.redis import get_redis


@pytest.fixture(autouse=True)
def _fresh_redis_keys() -> None:
    """Throttle counters and heartbeats live in Redis; each test starts without them."""
    client = get_redis()
    keys = list(client.scan_iter("hts:*", count=1000))
    if keys:
        client.delete(*keys)


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
