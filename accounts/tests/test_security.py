"""Login brute force is locked out per email and address on the web, the admin and the JWT endpoint."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


@pytest.fixture
def limit(settings) -> int:
    settings.AXES_FAILURE_LIMIT = 3
    return 3


def test_the_login_page_locks_an_email_out_after_repeated_failures(client: Client, limit):
    UserFactory(email="ada@example.org", password=PASSWORD)
    for _ in range(limit - 1):
        response = client.post("/accounts/login/", {"username": "ada@example.org", "password": "wrong"})
        assert response.status_code == 200 and "correct email" in response.content.decode()
    response = client.post("/accounts/login/", {"username": "ada@example.org", "password": "wrong"})
    assert response.status_code == 429
    # Locked out: even the right password is refused now, with a page that says why and for how long.
    response = client.post("/accounts/login/", {"username": "ada@example.org", "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed logins. Try again in 15 minutes." in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Another account from the same address is not affected.
    UserFactory(email="bob@example.org", password=PASSWORD)
    response = client.post("/accounts/login/", {"username": "bob@example.org", "password": PASSWORD})
    assert response.status_code == 302


def test_the_admin_login_is_locked_out_too(client: Client, limit):
    UserFactory(email="staff@example.org", password=PASSWORD, is_staff=True, is_superuser=True)
    statuses = [
        client.post("/admin/login/", {"username": "staff@example.org", "password": "wrong"}).status_code
        for _ in range(limit)
    ]
    assert statuses == [200] * (limit - 1) + [429]
    response = client.post("/admin/login/", {"username": "staff@example.org", "password": PASSWORD})
    assert response.status_code == 429
    assert client.get("/admin/").status_code == 302  # still not logged in


def test_the_jwt_endpoint_locks_out_with_a_json_429(api_client, limit):
    user = UserFactory(email="ada@example.org", password=PASSWORD)
    bad = [
        api_client.post("/api/v1/auth/token/", {"email": user.email, "password": "wrong"}, format="json")
        for _ in range(limit)
    ]
    assert [r.status_code for r in bad[:-1]] == [401] * (limit - 1)
    assert bad[-1].status_code == 429
    response = api_client.post("/api/v1/auth/token/", {"email": user.email, "password": PASSWORD}, format="json")
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "too_many_login_attempts"
    assert "15 minutes" in response.json()["error"]["message"]
    assert int(response["Retry-After"]) == 15 * 60
    assert "access" not in response.json()


def test_a_successful_login_resets_the_count(api_client, limit):
    user = UserFactory(email="ada@example.org", password=PASSWORD)
    for _round in range(3):
        for _ in range(limit - 1):
            api_client.post("/api/v1/auth/token/", {"email": user.email, "password": "wrong"}, format="json")
        ok = api_client.post("/api/v1/auth/token/", {"email": user.email, "password": PASSWORD}, format="json")
        assert ok.status_code == 200
        assert "sessionid" not in ok.cookies  # tokens for the app, no web session
