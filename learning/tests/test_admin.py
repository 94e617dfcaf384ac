"""Staff see students' study records in the admin, read-only."""

from __future__ import annotations

import pytest

from learning import services
from learning.models import Rating
from learning.tests.factories import FlashcardFactory, QuestionFactory

pytestmark = pytest.mark.django_db


def test_staff_see_review_states_reviews_and_quizzes_but_cannot_change_them(admin_client):
    card = FlashcardFactory(front="What is a monad?")
    user = card.upload.owner
    services.review_record(user=user, flashcard_id=card.pk, rating=Rating.GOOD)
    question = QuestionFactory(upload=card.upload, stem="Which law holds?")
    quiz = services.quiz_create(user=user, upload_id=card.upload_id)
    services.quiz_answer(user=user, quiz_id=quiz.pk, question_id=question.pk, choice=question.correct_index)
    for url, expected in [
        ("/admin/learning/reviewstate/", "What is a monad?"),
        ("/admin/learning/review/", user.email),
        (f"/admin/learning/quiz/{quiz.pk}/change/", "Which law holds?"),
    ]:
        page = admin_client.get(url)
        assert page.status_code == 200 and expected in page.content.decode(), url
    assert admin_client.get("/admin/learning/review/add/").status_code == 403
