"""The study pages, as a student clicks through them; another student's items are 404s everywhere."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.tests.factories import UserFactory
from learning.models import Flashcard, Question, QuizItem, Review
from learning.tests.factories import FlashcardFactory, QuestionFactory, TopicFactory
from uploads.tests.factories import UploadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def student(client: Client, user):
    client.force_login(user)
    return client


@pytest.fixture
def upload(user):
    upload = UploadFactory(owner=user, title="Vectors")
    topic = TopicFactory(upload=upload, title="Dot product")
    FlashcardFactory(upload=upload, topic=topic, front="What does the dot product return?", back="A scalar")
    FlashcardFactory(upload=upload, kind="cloze", front="A {{c1::vector}} has a direction.", back="")
    QuestionFactory.create_batch(3, upload=upload, topic=topic)
    return upload


def test_a_session_shows_a_card_with_intervals_and_a_rating_moves_on(student, upload):
    page = student.get(f"/study/session/?upload={upload.pk}").content.decode()
    assert "What does the dot product return?" in page and "A scalar" in page
    assert "1 min" in page and "10 min" in page and "2 new today" in page
    card = Flashcard.objects.get(front__startswith="What does")
    response = student.post(f"/study/cards/{card.pk}/review/", {"rating": "4", "upload": upload.pk})
    assert response.status_code == 302 and response["Location"] == f"/study/session/?upload={upload.pk}"
    page = student.get(response["Location"]).content.decode()
    assert "A […] has a direction." in page and Review.objects.get().rating == 4


def test_a_cloze_card_s_back_is_its_sentence_with_the_answer_highlighted_not_repeated(student, upload):
    card = Flashcard.objects.get(kind="cloze")
    card.back = "vector"  # generated clozes carry the hidden term as their back
    card.save()
    Flashcard.objects.exclude(pk=card.pk).update(suspended=True)
    page = student.get(f"/study/session/?upload={upload.pk}").content.decode()
    back = page.split('data-testid="back"', 1)[1].split("</p>", 1)[0]
    assert '>A <mark class="answer">vector</mark> has a direction.' in back
    assert back.count("vector") == 1
    FlashcardFactory(upload=upload, kind="cloze", front="<b>{{c1::Scalars}}</b> have no direction.", back="See p. 2")
    Flashcard.objects.filter(pk=card.pk).update(suspended=True)
    back = student.get(f"/study/session/?upload={upload.pk}").content.decode().split('data-testid="back"', 1)[1]
    assert '&lt;b&gt;<mark class="answer">Scalars</mark>&lt;/b&gt; have no direction.<br>See p. 2' in back


def test_write_mode_grades_the_typed_answer_and_suggests_a_rating(student, upload):
    card = Flashcard.objects.get(kind="cloze")
    page = student.post(f"/study/cards/{card.pk}/check/", {"answer": "Vektor", "upload": upload.pk, "mode": "write"})
    text = page.content.decode()
    assert "Almost" in text or "Correct" in text
    assert "Expected" in text and "<strong>vector</strong>" in text and 'name="mode" value="write"' in text
    assert not Review.objects.exists()  # the rating buttons record the review, not the check


def test_a_quiz_on_the_web_shows_feedback_and_a_result(student, upload):
    response = student.post("/study/quizzes/new/", {"upload": upload.pk, "size": 2})
    quiz_url = response["Location"]
    for _ in range(2):
        page = student.get(quiz_url)
        item = QuizItem.objects.filter(choice__isnull=True).order_by("position").first()
        assert item.stem in page.content.decode()
        wrong = (item.correct_index + 1) % 4
        response = student.post(f"{quiz_url}answer/", {"question": item.question_id, "choice": wrong})
        feedback = student.get(response["Location"]).content.decode()
        assert "Not right." in feedback and item.explanation in feedback and "p. 1" in feedback
    result = student.get(quiz_url).content.decode()
    assert "0 % – 0 of 2 right" in result and "Dot product" in result


def test_editing_a_card_on_the_web_marks_it_and_bad_input_is_shown(student, upload):
    card = Flashcard.objects.get(kind="basic")
    form = student.get(f"/study/cards/{card.pk}/edit/").content.decode()
    assert "A scalar" in form
    response = student.post(f"/study/cards/{card.pk}/edit/", {"kind": "basic", "front": card.front, "back": "A number"})
    assert response.status_code == 302
    card.refresh_from_db()
    assert (card.back, card.origin) == ("A number", "edited")
    response = student.post(f"/study/cards/{card.pk}/edit/", {"kind": "cloze", "front": "No gap", "back": ""})
    assert response.status_code == 400 and "{{c1::term}}" in response.content.decode()
    response = student.post(f"/study/cards/new/?upload={upload.pk}", {"kind": "basic", "front": "New?", "back": "Yes"})
    assert response.status_code == 302 and Flashcard.objects.get(front="New?").origin == "own"
    question = Question.objects.first()
    data = {"stem": "Edited?", "option_a": "w", "option_b": "x", "option_c": "y", "option_d": "z", "correct": "C"}
    assert student.post(f"/study/questions/{question.pk}/edit/", {**data, "explanation": ""}).status_code == 302
    question.refresh_from_db()
    assert (question.stem, question.options, question.correct_index) == ("Edited?", ["w", "x", "y", "z"], 2)


def test_the_topic_page_and_the_dashboard_show_mastery_and_charts(student, upload):
    topic = upload.topics.get()
    page = student.get(f"/study/topics/{topic.pk}/").content.decode()
    assert "Dot product" in page and "What does the dot product return?" in page and "0 of 1 cards" in page
    dashboard = student.get("/study/").content.decode()
    assert dashboard.count("<svg") == 2 and "Vectors" in dashboard and "Dot product" in dashboard


def test_exports_download_from_the_document_page(student, upload):
    detail = student.get(f"/documents/{upload.pk}/").content.decode()
    assert f"/study/documents/{upload.pk}/export.apkg" in detail
    response = student.get(f"/study/documents/{upload.pk}/export.csv")
    assert response.status_code == 200 and "What does the dot product return?" in response.content.decode("utf-8-sig")


def test_another_student_reaches_none_of_it(client, upload):
    card, question, topic = upload.flashcards.first(), upload.questions.first(), upload.topics.first()
    owner = Client()
    owner.force_login(upload.owner)
    quiz_url = owner.post("/study/quizzes/new/", {"upload": upload.pk})["Location"]
    client.force_login(UserFactory())
    for method, url in [
        ("get", f"/study/cards/{card.pk}/edit/"),
        ("post", f"/study/cards/{card.pk}/edit/"),
        ("post", f"/study/cards/{card.pk}/delete/"),
        ("post", f"/study/cards/{card.pk}/suspend/"),
        ("post", f"/study/cards/{card.pk}/review/"),
        ("post", f"/study/cards/{card.pk}/check/"),
        ("get", f"/study/cards/new/?upload={upload.pk}"),
        ("get", f"/study/questions/{question.pk}/edit/"),
        ("post", f"/study/questions/{question.pk}/delete/"),
        ("get", f"/study/topics/{topic.pk}/"),
        ("get", quiz_url),
        ("post", f"{quiz_url}answer/"),
        ("get", f"/study/session/?upload={upload.pk}"),
        ("get", f"/study/documents/{upload.pk}/export.apkg"),
        ("get", f"/study/documents/{upload.pk}/export.csv"),
    ]:
        data = {"rating": 3, "question": question.pk, "choice": 0} if method == "post" else None
        response = getattr(client, method)(url, data)
        assert response.status_code == 404, (method, url, response.status_code)
    assert "What does the dot product" not in client.get("/study/").content.decode()
    assert Flashcard.objects.filter(pk=card.pk, suspended=False).exists() and not Review.objects.exists()


def test_a_quiz_question_deleted_since_is_still_answered_by_its_position(student, upload):
    response = student.post("/study/quizzes/new/", {"upload": upload.pk, "size": 2})
    quiz_url = response["Location"]
    page = student.get(quiz_url).content.decode()
    position = int(page.split('name="position" value="', 1)[1].split('"', 1)[0])
    item = QuizItem.objects.get(
        quiz__user__isnull=False, position=position, quiz__pk=int(quiz_url.strip("/").split("/")[-1])
    )
    Question.objects.filter(pk=item.question_id).delete()  # the student deleted it on the document's page
    response = student.post(f"{quiz_url}answer/", {"question": "", "position": position, "choice": item.correct_index})
    assert response.status_code == 302 and "answered" in response["Location"]
    item.refresh_from_db()
    assert item.correct is True and item.question_id is None
    page = student.get(quiz_url).content.decode()
    assert "not part of the quiz" not in page
