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


# --- Behind App Platform's proxy (issue 17, section 3) --------------------------------------------

PROXY = "10.0.0.1"  # the platform's router: every request arrives from it


def via_proxy(client_ip: str, forged: str = "") -> dict[str, str]:
    """What the router sends: the client's own X-Forwarded-For (anything it likes) plus the address
    the router saw, last."""
    chain = f"{forged}, {client_ip}" if forged else client_ip
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": chain}


@pytest.fixture
def behind_one_proxy(settings):
    settings.NUM_PROXIES = 1
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}


def test_an_attacker_at_another_address_cannot_lock_a_student_out(client: Client, limit, behind_one_proxy):
    UserFactory(email="ada@example.org", password=PASSWORD)
    for _ in range(limit + 1):
        client.post(
            "/accounts/login/", {"username": "ada@example.org", "password": "wrong"}, **via_proxy("203.0.113.7")
        )
    locked = client.post(
        "/accounts/login/", {"username": "ada@example.org", "password": PASSWORD}, **via_proxy("203.0.113.7")
    )
    assert locked.status_code == 429  # the attacker's address is locked for this email
    ada = Client()
    response = ada.post(
        "/accounts/login/", {"username": "ada@example.org", "password": PASSWORD}, **via_proxy("198.51.100.4")
    )
    assert response.status_code == 302  # the student, at her own address behind the same proxy, logs in


def test_one_address_cannot_spray_many_accounts_on_the_web_login(client: Client, settings, behind_one_proxy):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "login": "5/minute"},
    }
    statuses = [
        client.post(
            "/accounts/login/",
            {"username": f"victim{n}@example.org", "password": "guess"},
            **via_proxy("203.0.113.9", forged=f"192.0.2.{n}"),  # a rotating forged header buys nothing
        ).status_code
        for n in range(8)
    ]
    assert statuses[:5] == [200] * 5 and statuses[5:] == [429] * 3
    other = Client().post(
        "/accounts/login/", {"username": "x@example.org", "password": "y"}, **via_proxy("198.51.100.4")
    )
    assert other.status_code == 200  # another address is not affected


def test_the_api_throttles_the_client_not_a_forged_header(api_client, settings, behind_one_proxy):
    limit = int(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["register"].split("/")[0])
    statuses = [
        api_client.post(
            "/api/v1/auth/register/",
            {"email": f"new{n}@example.org", "password": PASSWORD},
            format="json",
            **via_proxy("203.0.113.9", forged=f"192.0.2.{n}"),
        ).status_code
        for n in range(limit + 2)
    ]
    assert statuses == [201] * limit + [429, 429]


def test_web_sign_up_has_the_register_limit_per_address(client: Client, settings, behind_one_proxy):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "register": "2/hour"},
    }
    statuses = []
    for n in range(4):
        signup = Client()
        data = {"email": f"web{n}@example.org", "password": PASSWORD, "password_again": PASSWORD}
        statuses.append(signup.post("/accounts/signup/", data, **via_proxy("203.0.113.9")).status_code)
    assert statuses == [302, 302, 429, 429]


def test_a_password_change_ends_every_token_issued_before(client: Client):
    from rest_framework.test import APIClient

    user = UserFactory(email="ada@example.org", password=PASSWORD)
    phone = APIClient()
    tokens = phone.post("/api/v1/auth/token/", {"email": user.email, "password": PASSWORD}, format="json").json()
    phone.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    assert phone.get("/api/v1/me/").status_code == 200

    client.force_login(user)
    new = "a brand new passphrase 42"
    changed = client.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": new, "new_password2": new})
    assert changed.status_code == 302

    assert phone.get("/api/v1/me/").status_code == 401  # the old access token fails at once
    refreshed = APIClient().post("/api/v1/auth/token/refresh/", {"refresh": tokens["refresh"]}, format="json")
    assert refreshed.status_code == 401  # and the old refresh token gives no new pair
    fresh = APIClient().post("/api/v1/auth/token/", {"email": user.email, "password": new}, format="json").json()
    again = APIClient()
    again.credentials(HTTP_AUTHORIZATION=f"Bearer {fresh['access']}")
    assert again.get("/api/v1/me/").status_code == 200
    rotated = APIClient().post("/api/v1/auth/token/refresh/", {"refresh": fresh["refresh"]}, format="json").json()
    again.credentials(HTTP_AUTHORIZATION=f"Bearer {rotated['access']}")
    assert again.get("/api/v1/me/").status_code == 200  # a refreshed token keeps the binding
