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


def test_staff_see_each_users_uploads_cards_reviews_and_ai_tokens(staff_client):
    from learning import services as learning_services
    from learning.models import AIUsage
    from learning.tests.factories import FlashcardFactory
    from uploads.tests.factories import UploadFactory

    student = UserFactory(email="busy@example.org")
    upload = UploadFactory(owner=student)
    UploadFactory(owner=student)
    cards = FlashcardFactory.create_batch(3, upload=upload)
    for card in cards:
        learning_services.review_record(user=student, flashcard_id=card.pk, rating=3)
    AIUsage.objects.create(user=student, task="flashcards", model="m", tokens_in=1000, tokens_out=234)
    AIUsage.objects.create(user=student, task="questions", model="m", tokens_in=10, tokens_out=6)
    page = staff_client.get("/admin/accounts/user/", {"q": "busy@"}).content.decode()
    row = page[page.index("busy@example.org") :]
    row = row[: row.index("</tr>")]
    cells = [c.split(">")[-1] for c in row.split("</td>")[:-1]]
    assert cells[-6:-2] == ["2", "3", "3", "1250"], cells  # uploads, cards, reviews, AI tokens


def test_staff_deactivate_a_user_who_then_cannot_log_in_or_refresh(staff_client, api_client):
    student = UserFactory(email="gone@example.org", password="correct horse battery staple")
    tokens = api_client.post(
        "/api/v1/auth/token/", {"email": student.email, "password": "correct horse battery staple"}, format="json"
    ).json()
    response = staff_client.post(
        "/admin/accounts/user/", {"action": "deactivate", "_selected_action": [student.pk]}, follow=True
    )
    assert "1 user deactivated." in response.content.decode()
    student.refresh_from_db()
    assert not student.is_active
    refused = api_client.post("/api/v1/auth/token/refresh/", {"refresh": tokens["refresh"]}, format="json")
    assert refused.status_code == 401
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    assert api_client.get("/api/v1/me/").status_code == 401
