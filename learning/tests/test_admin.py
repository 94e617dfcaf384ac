"""Staff see students' study records in the admin, read-only."""

from __future__ import annotations

import pytest

from learning import services
from learning.models import Flashcard, Question, Rating
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


def test_staff_cannot_edit_generated_material_and_delete_it_only_through_the_service(admin_client):
    card = FlashcardFactory(front="What is a functor?")
    question = QuestionFactory(upload=card.upload, stem="Which functor law holds?")
    upload = card.upload
    upload.flashcard_count, upload.question_count = 1, 1
    upload.save()
    for model, item in (("flashcard", card), ("question", question), ("topic", None)):
        assert admin_client.get(f"/admin/learning/{model}/").status_code == 200
        if item is not None:
            change = admin_client.post(f"/admin/learning/{model}/{item.pk}/change/", {"front": "x", "stem": "x"})
            assert change.status_code == 403, model
            assert admin_client.post(f"/admin/learning/{model}/{item.pk}/delete/", {"post": "yes"}).status_code == 403
    card.refresh_from_db()
    assert card.front == "What is a functor?"
    for model, item in (("flashcard", card), ("question", question)):
        admin_client.post(
            f"/admin/learning/{model}/",
            {"action": "delete_through_service", "_selected_action": [item.pk]},
        )
    upload.refresh_from_db()
    assert not Flashcard.objects.filter(pk=card.pk).exists() and not Question.objects.filter(pk=question.pk).exists()
    assert (upload.flashcard_count, upload.question_count) == (0, 0)
