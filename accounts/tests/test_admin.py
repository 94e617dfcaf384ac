from __future__ import annotations

import pytest

from accounts.models import User
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_staff_find_users_by_email(staff_client):
    UserFactory(email="ada@example.org", name="Ada")
    response = staff_client.get("/admin/accounts/user/", {"q": "ada@"})
    assert response.status_code == 200
    assert "ada@example.org" in response.content.decode()


def test_staff_create_a_user_whose_email_is_stored_in_lower_case(staff_client):
    response = staff_client.post(
        "/admin/accounts/user/add/",
        {
            "email": "New.Student@Example.org",
            "name": "New",
            "password1": "a long passphrase 99",
            "password2": "a long passphrase 99",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(email="new.student@example.org")
    assert user.check_password("a long passphrase 99")


def test_students_do_not_get_into_the_admin(client):
    client.force_login(UserFactory())
    response = client.get("/admin/accounts/user/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
