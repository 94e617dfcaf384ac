"""The study API as the mobile app uses it: JWT, own items only, one error shape."""

from __future__ import annotations

import pytest
from django.utils.dateparse import parse_datetime
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from learning.models import Flashcard, Question, ReviewState
from learning.tests.factories import FlashcardFactory, QuestionFactory, TopicFactory
from uploads.tests.factories import UploadFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


def client_for(user) -> APIClient:
    client = APIClient(raise_request_exception=False)
    token = client.post("/api/v1/auth/token/", {"email": user.email, "password": PASSWORD}).json()["access"]
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


@pytest.fixture
def upload(user):
    return UploadFactory(owner=user)


def test_a_student_creates_edits_suspends_and_deletes_a_card(auth_client, upload):
    topic = TopicFactory(upload=upload)
    created = auth_client.post(
        "/api/v1/flashcards/", {"upload": upload.pk, "front": "What is a queue?", "back": "FIFO", "topic": topic.pk}
    )
    assert created.status_code == 201, created.json()
    card = created.json()
    assert (card["origin"], card["generated"], card["review"], card["topic"]) == ("own", False, None, topic.pk)
    changed = auth_client.patch(f"/api/v1/flashcards/{card['id']}/", {"back": "First in, first out", "suspended": True})
    assert changed.status_code == 200
    assert (changed.json()["back"], changed.json()["suspended"]) == ("First in, first out", True)
    assert auth_client.delete(f"/api/v1/flashcards/{card['id']}/").status_code == 204
    assert not Flashcard.objects.exists()


def test_editing_a_generated_card_marks_it_edited_but_suspending_does_not(auth_client, upload):
    card = FlashcardFactory(upload=upload)
    assert auth_client.patch(f"/api/v1/flashcards/{card.pk}/", {"suspended": True}).json()["origin"] == "generated"
    assert auth_client.patch(f"/api/v1/flashcards/{card.pk}/", {"front": "Better?"}).json()["origin"] == "edited"


def test_invalid_items_get_the_error_shape_and_nothing_is_stored(auth_client, upload):
    response = auth_client.post("/api/v1/flashcards/", {"upload": upload.pk, "kind": "cloze", "front": "no gap"})
    assert response.status_code == 400
    body = response.json()["error"]
    assert body["code"] == "validation_error" and "front" in body["fields"]
    response = auth_client.post(
        "/api/v1/questions/",
        {"upload": upload.pk, "stem": "Q?", "options": ["a", "a", "b", "c"], "correct_index": 1},
    )
    assert response.status_code == 400 and "options" in response.json()["error"]["fields"]
    assert not Flashcard.objects.exists() and not Question.objects.exists()


def test_questions_can_be_added_and_edited(auth_client, upload):
    response = auth_client.post(
        "/api/v1/questions/",
        {
            "upload": upload.pk,
            "stem": "Which is LIFO?",
            "options": ["Stack", "Queue", "Heap", "List"],
            "correct_index": 0,
        },
    )
    assert response.status_code == 201, response.json()
    question_id = response.json()["id"]
    response = auth_client.patch(f"/api/v1/questions/{question_id}/", {"correct_index": 2})
    assert response.json()["correct_index"] == 2


def test_reviewing_through_the_api_moves_the_card_out_of_the_due_list(auth_client, upload):
    first, second = FlashcardFactory.create_batch(2, upload=upload)
    due = auth_client.get("/api/v1/study/due/", {"upload": upload.pk}).json()
    assert [c["id"] for c in due["results"]] == [first.pk, second.pk]
    assert (due["due_count"], due["new_count"]) == (0, 2)
    assert due["results"][0]["intervals"]["again"] == {"seconds": 60, "label": "1 min"}
    response = auth_client.post(f"/api/v1/flashcards/{first.pk}/review/", {"rating": "easy", "duration_ms": 4200})
    assert response.status_code == 200
    result = response.json()
    assert result["review"]["state"] == "review" and result["interval_seconds"] >= 86400
    assert parse_datetime(result["due"]) == ReviewState.objects.get(flashcard=first).due
    assert [c["id"] for c in auth_client.get("/api/v1/study/due/").json()["results"]] == [second.pk]
    assert auth_client.post(f"/api/v1/flashcards/{second.pk}/review/", {"rating": 7}).status_code == 400


def test_write_mode_grades_a_typed_answer(auth_client, upload):
    card = FlashcardFactory(upload=upload, back="Satz von Little")
    result = auth_client.post(f"/api/v1/flashcards/{card.pk}/check/", {"answer": "satz von litle"}).json()
    assert result == {
        "verdict": "correct",
        "score": result["score"],
        "expected": "Satz von Little",
        "suggested_rating": 3,
    }
    assert auth_client.post(f"/api/v1/flashcards/{card.pk}/check/", {"answer": "Poisson"}).json()["verdict"] == "wrong"


def test_a_quiz_reveals_answers_one_at_a_time_and_scores(auth_client, upload):
    topic = TopicFactory(upload=upload, title="Queues")
    questions = QuestionFactory.create_batch(3, upload=upload, topic=topic)
    response = auth_client.post("/api/v1/quizzes/", {"upload": upload.pk, "size": 2})
    assert response.status_code == 201
    quiz = response.json()
    assert len(quiz["items"]) == 2 and all(item["correct_index"] is None for item in quiz["items"])
    by_id = {q.pk: q for q in questions}
    first, second = quiz["items"]
    right = by_id[first["question"]].correct_index
    answer = auth_client.post(
        f"/api/v1/quizzes/{quiz['id']}/answers/", {"question": first["question"], "choice": right}
    )
    assert answer.status_code == 200
    assert (answer.json()["correct"], answer.json()["correct_index"]) == (True, right)
    assert answer.json()["source"] == "p. 1" and answer.json()["quiz"]["answered"] == 1
    wrong = (by_id[second["question"]].correct_index + 1) % 4
    auth_client.post(f"/api/v1/quizzes/{quiz['id']}/answers/", {"question": second["question"], "choice": wrong})
    result = auth_client.get(f"/api/v1/quizzes/{quiz['id']}/").json()["result"]
    assert (result["score_percent"], result["finished"]) == (50, True)
    assert result["revisit"] == [{"title": "Queues", "wrong": 1, "topic": topic.pk}]


def test_a_quiz_item_whose_question_was_deleted_is_answered_by_its_position(auth_client, upload):
    QuestionFactory.create_batch(2, upload=upload)
    quiz = auth_client.post("/api/v1/quizzes/", {"upload": upload.pk, "size": 2}).json()
    first = quiz["items"][0]
    correct = Question.objects.get(pk=first["question"]).correct_index
    Question.objects.filter(pk=first["question"]).delete()
    url = f"/api/v1/quizzes/{quiz['id']}/answers/"
    assert auth_client.post(url, {"question": first["question"], "choice": correct}).status_code == 400
    answer = auth_client.post(url, {"position": first["position"], "choice": correct})
    assert answer.status_code == 200 and answer.json()["correct"] is True
    missing = auth_client.post(url, {"choice": 0})
    assert missing.status_code == 400 and "question" in missing.json()["error"]["fields"]


def test_user_b_can_touch_none_of_user_as_items_or_quizzes(auth_client, upload):
    card, question = FlashcardFactory(upload=upload), QuestionFactory(upload=upload)
    quiz_id = auth_client.post("/api/v1/quizzes/", {"upload": upload.pk}).json()["id"]
    intruder = client_for(UserFactory(password=PASSWORD))
    for method, url, data in [
        ("get", f"/api/v1/flashcards/{card.pk}/", None),
        ("patch", f"/api/v1/flashcards/{card.pk}/", {"front": "mine"}),
        ("delete", f"/api/v1/flashcards/{card.pk}/", None),
        ("post", f"/api/v1/flashcards/{card.pk}/review/", {"rating": 3}),
        ("post", f"/api/v1/flashcards/{card.pk}/check/", {"answer": "x"}),
        ("get", f"/api/v1/questions/{question.pk}/", None),
        ("patch", f"/api/v1/questions/{question.pk}/", {"stem": "mine"}),
        ("delete", f"/api/v1/questions/{question.pk}/", None),
        ("get", f"/api/v1/quizzes/{quiz_id}/", None),
        ("post", f"/api/v1/quizzes/{quiz_id}/answers/", {"question": question.pk, "choice": 0}),
        ("get", f"/api/v1/study/due/?upload={upload.pk}", None),
    ]:
        response = getattr(intruder, method)(url, data)
        assert response.status_code == 404, (method, url, response.status_code)
        assert response.json()["error"]["code"] == "not_found"
    for url, data in [
        ("/api/v1/flashcards/", {"upload": upload.pk, "front": "Q", "back": "A"}),
        ("/api/v1/quizzes/", {"upload": upload.pk}),
    ]:
        assert intruder.post(url, data).status_code in (400, 404)
    assert intruder.get("/api/v1/flashcards/").json()["results"] == []
    assert intruder.get("/api/v1/quizzes/").json()["results"] == []
    assert Flashcard.objects.get().front == card.front and not ReviewState.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/flashcards/",
        "/api/v1/questions/",
        "/api/v1/quizzes/",
        "/api/v1/study/due/",
        "/api/v1/uploads/{upload}/flashcards/",
        "/api/v1/uploads/{upload}/questions/",
    ],
)
def test_lists_make_a_constant_number_of_queries(auth_client, user, url, django_assert_max_num_queries):
    from learning import services

    upload = UploadFactory(owner=user)
    url = url.format(upload=upload.pk)

    def fill(count: int) -> None:
        topic = TopicFactory(upload=upload)
        for card in FlashcardFactory.create_batch(count, upload=upload, topic=topic):
            services.review_record(user=user, flashcard_id=card.pk, rating=1)
        QuestionFactory.create_batch(count, upload=upload, topic=topic)
        for _ in range(count // 2):
            services.quiz_create(user=user, upload_id=upload.pk, size=2)

    fill(2)
    with django_assert_max_num_queries(12) as small:
        assert auth_client.get(url).status_code == 200
    fill(20)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = auth_client.get(url)
    assert response.status_code == 200 and len(response.json()["results"]) > 2


def test_the_card_list_says_what_the_card_serializer_says(auth_client, upload, user):
    """The list builds its JSON from rows without DRF's per-field machinery (for speed); it must stay the same."""
    from django.test import RequestFactory

    from learning.api.serializers import FlashcardSerializer
    from learning.services.reviews import review_record

    topic = TopicFactory(upload=upload)
    cards = [FlashcardFactory(upload=upload, topic=topic if n % 2 else None, kind="basic") for n in range(4)]
    cards[1].suspended = True
    cards[1].save()
    review_record(user=user, flashcard_id=cards[0].pk, rating=3)
    review_record(user=user, flashcard_id=cards[2].pk, rating=1)
    listed = auth_client.get(f"/api/v1/uploads/{upload.pk}/flashcards/").json()["results"]
    request = RequestFactory().get("/")
    request.user = user
    one_by_one = []
    for card in Flashcard.objects.filter(upload=upload).order_by("id"):
        card.review_state = ReviewState.objects.filter(user=user, flashcard=card).first()
        one_by_one.append(FlashcardSerializer(card, context={"request": request}).data)
    assert listed == one_by_one
    assert listed[0]["review"]["state"] in ("learning", "review") and listed[1]["review"] is None
    assert listed[1]["suspended"] is True and listed[1]["topic"] == topic.pk


@pytest.mark.parametrize("base", ["/api/v1/uploads/{upload}/flashcards/", "/api/v1/flashcards/?upload={upload}"])
def test_card_lists_page_through_every_card_once(auth_client, user, upload, base, django_assert_max_num_queries):
    """50 per page with count, next and previous; the page query also counts (two queries with the user's)."""
    from learning.services.reviews import review_record

    cards = FlashcardFactory.create_batch(53, upload=upload)
    FlashcardFactory.create_batch(3, upload=UploadFactory(owner=user))  # another document of the same student
    review_record(user=user, flashcard_id=cards[51].pk, rating=3)
    url = base.format(upload=upload.pk)
    with django_assert_max_num_queries(2):
        first = auth_client.get(url).json()
    assert first["count"] == 53 and first["previous"] is None and len(first["results"]) == 50
    second = auth_client.get(first["next"]).json()
    assert second["count"] == 53 and second["next"] is None and second["previous"]
    seen = [card["id"] for card in first["results"] + second["results"]]
    assert seen == sorted(card.pk for card in cards)
    assert [card["review"] is not None for card in second["results"]] == [False, True, False]
    assert auth_client.get(second["previous"]).json() == first
    joiner = "&" if "?" in url else "?"
    for page in ("3", "0", "x"):
        response = auth_client.get(f"{url}{joiner}page={page}")
        assert response.status_code == 404 and response.json()["error"]["code"] == "not_found", page
    assert auth_client.get(f"{url}{joiner}page=last").json() == second


def test_an_empty_document_lists_no_cards_and_a_foreign_one_is_not_found(auth_client, upload):
    assert auth_client.get(f"/api/v1/uploads/{upload.pk}/flashcards/").json() == {
        "count": 0,
        "next": None,
        "previous": None,
        "results": [],
    }
    foreign = UploadFactory()
    FlashcardFactory(upload=foreign)
    for url in (f"/api/v1/uploads/{foreign.pk}/flashcards/", "/api/v1/uploads/999999/flashcards/"):
        response = auth_client.get(url)
        assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    assert auth_client.get(f"/api/v1/flashcards/?upload={foreign.pk}").json()["results"] == []
    assert auth_client.get("/api/v1/uploads/abc/flashcards/").json()["error"]["code"] == "not_found"
