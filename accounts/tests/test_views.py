"""The web pages as a student uses them."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from accounts.models import User
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


def test_a_student_signs_up_and_is_logged_in(client: Client):
    response = client.post(
        "/accounts/signup/",
        {"email": "Ada@Example.org", "name": "Ada", "password": PASSWORD, "password_again": PASSWORD},
        follow=True,
    )
    assert response.status_code == 200
    assert "Hello, Ada!" in response.content.decode()
    assert User.objects.get().email == "ada@example.org"
    assert response.context["user"].is_authenticated


def test_signup_shows_errors_and_keeps_nothing(client: Client):
    UserFactory(email="ada@example.org")
    response = client.post(
        "/accounts/signup/",
        {"email": "ADA@example.org", "password": PASSWORD, "password_again": "different"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "do not match" in html
    response = client.post(
        "/accounts/signup/", {"email": "ADA@example.org", "password": PASSWORD, "password_again": PASSWORD}
    )
    assert "already exists" in response.content.decode()
    assert User.objects.count() == 1


def test_login_with_the_email_in_any_case_then_logout(client: Client):
    UserFactory(email="ada@example.org", name="Ada", password=PASSWORD)
    response = client.post("/accounts/login/", {"username": "ADA@example.org", "password": PASSWORD}, follow=True)
    assert "Hello, Ada!" in response.content.decode()
    response = client.post("/accounts/logout/", follow=True)
    assert not response.context["user"].is_authenticated


def test_login_with_a_wrong_password_shows_an_error(client: Client):
    UserFactory(email="ada@example.org", password=PASSWORD)
    response = client.post("/accounts/login/", {"username": "ada@example.org", "password": "wrong"})
    assert response.status_code == 200
    assert "correct email" in response.content.decode()
    assert not response.context["user"].is_authenticated


def test_profile_changes_name_and_language_and_the_site_follows(client: Client):
    user = UserFactory(password=PASSWORD, language="en")
    client.force_login(user)
    response = client.post("/accounts/profile/", {"name": "Grace", "language": "de"}, follow=True)
    assert response.status_code == 200
    user.refresh_from_db()
    assert (user.name, user.language) == ("Grace", "de")
    html = response.content.decode()
    assert '<html lang="de">' in html
    assert "Dein Profil" in html
    assert "Abmelden" in html


def test_profile_requires_login(client: Client):
    response = client.get("/accounts/profile/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_password_change(client: Client):
    user = UserFactory(password=PASSWORD)
    client.force_login(user)
    response = client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "a new long passphrase 7",
            "new_password2": "a new long passphrase 7",
        },
        follow=True,
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.check_password("a new long passphrase 7")


def test_the_language_switch_works_for_visitors(client: Client):
    response = client.post("/accounts/language/", {"language": "de", "next": "/"}, follow=True)
    html = response.content.decode()
    assert '<html lang="de">' in html
    assert "Registrieren" in html
    response = client.post("/accounts/language/", {"language": "en", "next": "/"}, follow=True)
    assert "Sign up" in response.content.decode()


def test_the_language_switch_is_saved_for_a_signed_in_student(client: Client):
    user = UserFactory(language="en")
    client.force_login(user)
    client.post("/accounts/language/", {"language": "de", "next": "/"})
    user.refresh_from_db()
    assert user.language == "de"


def test_pages_load_css_and_htmx_from_our_own_static_files(client: Client):
    html = client.get("/").content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', html)
    assert any("pico" in s for s in sources) and any("htmx" in s for s in sources), sources
    assert all(s.startswith("/static/") for s in sources), sources
    for source in sources:
        assert client.get(source).status_code == 200, source


def test_an_unknown_page_is_an_html_404(client: Client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
