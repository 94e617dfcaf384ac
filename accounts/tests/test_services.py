from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from accounts import services
from accounts.models import User
from accounts.tests.factories import UserFactory, outstanding_tokens

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


def test_it_stores_the_email_in_lower_case_and_logs_in_with_any_case(client):
    user = services.user_create(email="  Ada.Lovelace@Example.ORG ", password=PASSWORD, name=" Ada ")
    assert (user.email, user.name) == ("ada.lovelace@example.org", "Ada")
    # django-axes needs the request: log in through the page, as a student does.
    response = client.post("/accounts/login/", {"username": "ADA.LOVELACE@example.org", "password": PASSWORD})
    assert response.status_code == 302 and client.session.get("_auth_user_id") == str(user.pk)


def test_it_refuses_an_existing_email_in_another_case():
    UserFactory(email="ada@example.org")
    with pytest.raises(ValidationError) as excinfo:
        services.user_create(email="Ada@Example.org", password=PASSWORD)
    assert "email" in excinfo.value.message_dict


def test_the_database_enforces_case_insensitive_uniqueness():
    UserFactory(email="ada@example.org")
    with pytest.raises(IntegrityError):
        User.objects.create(email="ADA@example.org")


@pytest.mark.parametrize("password", ["short", "12345678901", "password123"])
def test_it_rejects_weak_passwords(password):
    with pytest.raises(ValidationError) as excinfo:
        services.user_create(email="bob@example.org", password=password)
    assert "password" in excinfo.value.message_dict
    assert not User.objects.exists()


def test_it_updates_name_and_language_and_refuses_unknown_languages():
    user = UserFactory(language="en")
    services.user_update(user=user, name="Grace", language="de")
    user.refresh_from_db()
    assert (user.name, user.language) == ("Grace", "de")
    with pytest.raises(ValidationError):
        services.user_update(user=user, language="xx")


def test_flushing_tokens_deletes_only_expired_ones():
    user = UserFactory()
    now = timezone.now()
    outstanding_tokens(
        user,
        {
            "old-1": now - timedelta(days=1),
            "old-2": now - timedelta(seconds=1),
            "live": now + timedelta(days=1),
        },
    )
    assert services.tokens_flush_expired() == 2
    assert list(OutstandingToken.objects.values_list("jti", flat=True)) == ["live"]


def test_the_demo_account_is_created_once_and_its_password_reset():
    user, created = services.demo_user_ensure(email="demo@example.org", password=PASSWORD)
    again, created_again = services.demo_user_ensure(email="demo@example.org", password="another long password 42")
    assert created and not created_again and user.pk == again.pk
    again.refresh_from_db()
    assert again.check_password("another long password 42")
