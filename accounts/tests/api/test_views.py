"""The account API as the mobile app uses it, and the error shape it can rely on."""

from __future__ import annotations

import pytest
from django.test import override_settings

from accounts.models import User
from accounts.tests.factories import UserFactory

PASSWORD = "correct horse battery staple"
pytestmark = pytest.mark.django_db


def assert_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert set(error) == {"code", "message", "fields"}
    assert error["message"]
    if code is not None:
        assert error["code"] == code
    return error


def obtain_tokens(api_client, email: str, password: str = PASSWORD) -> dict:
    response = api_client.post("/api/v1/auth/token/", {"email": email, "password": password}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def test_it_registers_logs_in_and_shows_the_account(api_client):
    response = api_client.post(
        "/api/v1/auth/register/", {"email": "Ada@Example.org", "password": PASSWORD, "name": "Ada"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["email"] == "ada@example.org"
    assert "password" not in response.json()

    tokens = obtain_tokens(api_client, "ADA@example.org")
    assert set(tokens) == {"access", "refresh"}
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    me = api_client.get("/api/v1/me/").json()
    assert me["email"] == "ada@example.org"
    assert me["name"] == "Ada"
    assert me["language"] == "en"


def test_it_refuses_a_second_account_for_the_same_email_in_another_case(api_client):
    UserFactory(email="ada@example.org")
    response = api_client.post(
        "/api/v1/auth/register/", {"email": "ADA@example.org", "password": PASSWORD}, format="json"
    )
    error = assert_error(response, 400, "validation_error")
    assert "email" in error["fields"]
    assert User.objects.count() == 1


def test_it_rejects_a_weak_password_and_a_missing_email(api_client):
    response = api_client.post("/api/v1/auth/register/", {"password": "123"}, format="json")
    error = assert_error(response, 400, "validation_error")
    assert "email" in error["fields"]
    response = api_client.post("/api/v1/auth/register/", {"email": "x@example.org", "password": "123"}, format="json")
    assert "password" in assert_error(response, 400, "validation_error")["fields"]
    assert not User.objects.exists()


def test_it_refuses_a_wrong_password_with_401(api_client, user):
    response = api_client.post("/api/v1/auth/token/", {"email": user.email, "password": "nope"}, format="json")
    assert_error(response, 401)


def test_it_refuses_tokens_to_an_inactive_user(api_client, user):
    tokens = obtain_tokens(api_client, user.email)
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert_error(api_client.post("/api/v1/auth/token/", {"email": user.email, "password": PASSWORD}), 401)
    response = api_client.post("/api/v1/auth/token/refresh/", {"refresh": tokens["refresh"]}, format="json")
    assert_error(response, 401)


def test_refresh_rotates_and_the_old_refresh_token_is_blacklisted(api_client, user):
    tokens = obtain_tokens(api_client, user.email)
    response = api_client.post("/api/v1/auth/token/refresh/", {"refresh": tokens["refresh"]}, format="json")
    assert response.status_code == 200, response.content
    rotated = response.json()
    assert rotated["refresh"] != tokens["refresh"]
    assert rotated["access"]

    again = api_client.post("/api/v1/auth/token/refresh/", {"refresh": tokens["refresh"]}, format="json")
    assert_error(again, 401, "token_not_valid")
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {rotated['access']}")
    assert api_client.get("/api/v1/me/").status_code == 200


def test_logout_blacklists_the_refresh_token(api_client, user):
    tokens = obtain_tokens(api_client, user.email)
    response = api_client.post("/api/v1/auth/logout/", {"refresh": tokens["refresh"]}, format="json")
    assert response.status_code == 204
    refused = api_client.post("/api/v1/auth/token/refresh/", {"refresh": tokens["refresh"]}, format="json")
    assert_error(refused, 401, "token_not_valid")
    twice = api_client.post("/api/v1/auth/logout/", {"refresh": tokens["refresh"]}, format="json")
    assert "refresh" in assert_error(twice, 400, "validation_error")["fields"]


def test_me_can_be_patched_but_not_the_email(auth_client, user):
    response = auth_client.patch("/api/v1/me/", {"name": "Grace", "language": "de", "email": "x@y.z"}, format="json")
    assert response.status_code == 200, response.content
    user.refresh_from_db()
    assert (user.name, user.language, user.email) == ("Grace", "de", response.json()["email"])
    assert user.email != "x@y.z"
    bad = auth_client.patch("/api/v1/me/", {"language": "fr"}, format="json")
    assert "language" in assert_error(bad, 400, "validation_error")["fields"]


def test_me_without_a_token_is_401_json(api_client):
    assert_error(api_client.get("/api/v1/me/"), 401, "not_authenticated")
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    assert_error(api_client.get("/api/v1/me/"), 401, "token_not_valid")


def test_wrong_method_is_405_json(api_client):
    assert_error(api_client.get("/api/v1/auth/register/"), 405, "method_not_allowed")


def test_unknown_api_path_is_404_json(api_client):
    assert_error(api_client.get("/api/v1/does-not-exist/"), 404, "not_found")


def test_malformed_json_is_400_json(api_client):
    response = api_client.post("/api/v1/auth/register/", "{not json", content_type="application/json")
    assert_error(response, 400, "parse_error")


def test_token_endpoint_is_rate_limited_with_429_json(api_client, user):
    # A different email each time: the per-email lockout (test_security) does not trigger first.
    statuses = [
        api_client.post("/api/v1/auth/token/", {"email": f"guess{n}@example.org", "password": "wrong"}, format="json")
        for n in range(21)
    ]
    assert [r.status_code for r in statuses[:20]] == [401] * 20
    assert_error(statuses[20], 429, "throttled")
    assert int(statuses[20]["Retry-After"]) > 0


def test_register_is_rate_limited(api_client):
    responses = [
        api_client.post("/api/v1/auth/register/", {"email": f"s{n}@example.org", "password": PASSWORD}, format="json")
        for n in range(11)
    ]
    assert [r.status_code for r in responses[:10]] == [201] * 10
    assert_error(responses[10], 429, "throttled")
    assert User.objects.count() == 10


@pytest.mark.urls("tests.error_urls")
def test_permission_denied_is_403_json(auth_client):
    assert_error(auth_client.get("/api/v1/test/forbidden/"), 403, "permission_denied")


@pytest.mark.urls("tests.error_urls")
def test_an_unhandled_error_is_500_json(auth_client):
    assert_error(auth_client.get("/api/v1/test/boom/"), 500, "server_error")


def test_the_schema_documents_the_endpoints_and_the_jwt_scheme(api_client):
    schema = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    for path in (
        "/api/v1/auth/register/",
        "/api/v1/auth/token/",
        "/api/v1/auth/token/refresh/",
        "/api/v1/auth/logout/",
        "/api/v1/me/",
    ):
        assert path in schema["paths"], path
    scheme = schema["components"]["securitySchemes"]["jwtAuth"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    assert schema["paths"]["/api/v1/me/"]["get"]["security"] == [{"jwtAuth": []}]


def test_swagger_ui_is_served_without_a_cdn(api_client):
    response = api_client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert "cdn." not in html and "unpkg" not in html and "jsdelivr" not in html


@override_settings(CORS_ALLOWED_ORIGINS=["https://app.example.org"])
def test_cors_is_granted_only_to_configured_origins(api_client):
    def preflight(origin: str):
        return api_client.options("/api/v1/auth/token/", HTTP_ORIGIN=origin, HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST")

    assert preflight("https://app.example.org")["Access-Control-Allow-Origin"] == "https://app.example.org"
    assert "Access-Control-Allow-Origin" not in preflight("https://evil.example.com")
