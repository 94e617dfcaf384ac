"""Input that once answered 500 (issue 17, section 4 and the open redirect of section 3): each is
now a clear 4xx, or is ignored, and never leaves the site."""

from __future__ import annotations

import pytest
from django.test import Client

from learning.models import Flashcard
from learning.tests.factories import FlashcardFactory
from uploads.tests.factories import UploadFactory

pytestmark = pytest.mark.django_db
SUPERSCRIPT_TWO = "%C2%B2"  # "²": str.isdigit() is true, int() fails
TOO_BIG = "9223372036854775808"  # one past the largest bigint


@pytest.fixture
def student(client: Client, user):
    client.force_login(user)
    return client


@pytest.fixture
def card(user):
    upload = UploadFactory(owner=user, title="Vectors")
    return FlashcardFactory(upload=upload, front="What is a vector?", back="An arrow")


@pytest.mark.parametrize("value", [SUPERSCRIPT_TWO, TOO_BIG, "-1", "abc"])
def test_a_bad_upload_number_in_the_web_pages_is_a_404_or_ignored(student, card, value):
    assert student.get(f"/study/session/?upload={value}").status_code == 200  # no scope: all cards
    assert student.get(f"/study/cards/new/?upload={value}").status_code == 404
    assert student.get(f"/study/questions/new/?upload={value}").status_code == 404
    response = student.post(f"/study/cards/{card.pk}/review/?upload={value}", {"rating": value, "upload": value})
    assert response.status_code == 302
    response = student.post("/study/quizzes/new/", {"upload": value, "size": value})
    assert response.status_code == 302


@pytest.mark.parametrize("value", [SUPERSCRIPT_TWO, TOO_BIG])
def test_a_bad_number_in_the_api_is_a_400_with_the_error_shape(auth_client, card, value):
    for path in ("/api/v1/flashcards/", "/api/v1/questions/"):
        response = auth_client.get(f"{path}?upload={value}")
        assert response.status_code == 400, (path, response.content)
        assert "upload" in response.json()["error"]["fields"]


def test_a_page_past_any_real_one_is_a_404_not_a_database_error(auth_client, card):
    for page in ("9223372036854775807", "99999999999999999999999", SUPERSCRIPT_TWO):
        response = auth_client.get(f"/api/v1/uploads/{card.upload_id}/flashcards/?page={page}")
        assert response.status_code == 404, (page, response.content)
        assert response.json()["error"]["code"]
    assert auth_client.get(f"/api/v1/uploads/{card.upload_id}/flashcards/?page=1").status_code == 200


def test_an_email_longer_than_the_database_column_is_refused_at_sign_up(api_client, client):
    email = "a" * 290 + "@example.org"  # 302 characters
    response = api_client.post("/api/v1/auth/register/", {"email": email, "password": "x" * 20}, format="json")
    assert response.status_code == 400 and "email" in response.json()["error"]["fields"]
    page = client.post("/accounts/signup/", {"email": email, "password": "x" * 20, "password_again": "x" * 20})
    assert page.status_code == 200 and "254" in page.content.decode()


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "javascript:alert(1)", "/\\evil"])
def test_next_never_leaves_the_site(student, card, target):
    response = student.post(f"/study/cards/{card.pk}/suspend/", {"suspended": "1", "next": target})
    assert response.status_code == 302 and response["Location"] == f"/documents/{card.upload_id}/"
    response = student.post("/study/quizzes/new/", {"upload": card.upload_id, "next": target})
    assert response.status_code == 302 and response["Location"] == "/study/"
    response = student.post(f"/study/cards/{card.pk}/suspend/", {"suspended": "0", "next": "/study/session/"})
    assert response["Location"] == "/study/session/"
    assert not Flashcard.objects.get(pk=card.pk).suspended


def test_a_card_or_question_of_megabytes_is_refused_everywhere(auth_client, student, card):
    huge = "x" * 2_000_000
    response = auth_client.post("/api/v1/flashcards/", {"upload": card.upload_id, "front": huge, "back": "b"})
    assert response.status_code == 400 and "front" in response.json()["error"]["fields"]
    response = auth_client.patch(f"/api/v1/flashcards/{card.pk}/", {"back": huge})
    assert response.status_code == 400 and "back" in response.json()["error"]["fields"]
    question = {"upload": card.upload_id, "stem": "Which?", "options": ["a", "b", "c", huge], "correct_index": 0}
    response = auth_client.post("/api/v1/questions/", question)
    assert response.status_code == 400 and "options" in response.json()["error"]["fields"]
    response = auth_client.post("/api/v1/questions/", {**question, "options": list("abcd"), "explanation": huge})
    assert response.status_code == 400 and "explanation" in response.json()["error"]["fields"]
    long = "x" * 10_000  # the form says what is wrong (a 2 MB form body never reaches it: a 400 page)
    page = student.post(f"/study/cards/new/?upload={card.upload_id}", {"kind": "basic", "front": long, "back": "b"})
    assert page.status_code == 400 and "2000" in page.content.decode() and Flashcard.objects.count() == 1
    card.refresh_from_db()
    assert card.back == "An arrow"


def test_quizzes_and_reprocessing_have_a_rate(auth_client, card, settings):
    from learning.tests.factories import QuestionFactory
    from uploads.models import Upload

    QuestionFactory.create_batch(4, upload=card.upload)
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "quizzes": "3/hour",
            "uploads": "2/hour",
        },
    }
    statuses = [
        auth_client.post("/api/v1/quizzes/", {"upload": card.upload_id, "size": 2}).status_code for _ in range(4)
    ]
    assert statuses == [201, 201, 201, 429]
    Upload.objects.filter(pk=card.upload_id).update(status="ready")
    statuses = []
    for _ in range(3):
        statuses.append(auth_client.post(f"/api/v1/uploads/{card.upload_id}/reprocess/", {}).status_code)
        Upload.objects.filter(pk=card.upload_id).update(status="ready")
    assert statuses == [202, 202, 429]
