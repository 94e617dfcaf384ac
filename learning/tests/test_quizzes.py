"""Quizzes: drawn from an upload or a topic, answered once per question, scored with topics to revisit."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from accounts.tests.factories import UserFactory
from learning import services
from learning.grading import expected_answer, grade, normalize
from learning.models import Question
from learning.selectors import quiz_result
from learning.tests.factories import FlashcardFactory, QuestionFactory, TopicFactory
from uploads.tests.factories import UploadFactory

pytestmark = pytest.mark.django_db


def answer_all(quiz, *, right: set[int]) -> None:
    for item in quiz.items.all():
        choice = item.correct_index if item.position in right else (item.correct_index + 1) % 4
        services.quiz_answer(user=quiz.user, quiz_id=quiz.pk, question_id=item.question_id, choice=choice)


def test_a_quiz_is_scored_and_names_the_topics_to_revisit():
    upload = UploadFactory()
    vectors, units = TopicFactory(upload=upload, title="Vectors"), TopicFactory(upload=upload, title="Units")
    QuestionFactory.create_batch(3, upload=upload, topic=vectors)
    QuestionFactory.create_batch(2, upload=upload, topic=units)
    quiz = services.quiz_create(user=upload.owner, upload_id=upload.pk, size=10)
    assert quiz.size == 5 and quiz.items.count() == 5
    by_topic = {item.position: item.topic_title for item in quiz.items.all()}
    right = {p for p, title in by_topic.items() if title == "Units"}
    answer_all(quiz, right=right)
    result = quiz_result(quiz)
    quiz.refresh_from_db()
    assert (result.total, result.answered, result.correct, result.score_percent) == (5, 5, 2, 40)
    assert [(t.title, t.wrong, t.topic_id) for t in result.revisit] == [("Vectors", 3, vectors.pk)]
    assert quiz.finished_at is not None


def test_a_topic_quiz_asks_only_that_topics_questions_including_its_subtopics():
    upload = UploadFactory()
    chapter = TopicFactory(upload=upload)
    section = TopicFactory(upload=upload, parent=chapter, level=2)
    inside = {QuestionFactory(upload=upload, topic=chapter).pk, QuestionFactory(upload=upload, topic=section).pk}
    QuestionFactory.create_batch(3, upload=upload, topic=TopicFactory(upload=upload))
    quiz = services.quiz_create(user=upload.owner, topic_id=chapter.pk)
    assert {item.question_id for item in quiz.items.all()} == inside
    assert quiz.upload == upload and quiz.title == chapter.title


def test_questions_not_yet_answered_right_come_first():
    upload = UploadFactory()
    QuestionFactory.create_batch(4, upload=upload)
    first = services.quiz_create(user=upload.owner, upload_id=upload.pk, size=2)
    answer_all(first, right={1, 2})
    known = set(first.items.values_list("question_id", flat=True))
    second = services.quiz_create(user=upload.owner, upload_id=upload.pk, size=2)
    assert not known & set(second.items.values_list("question_id", flat=True))


def test_an_answer_counts_once_and_the_quiz_keeps_its_copy_of_the_question():
    question = QuestionFactory(correct_index=2)
    user = question.upload.owner
    quiz = services.quiz_create(user=user, upload_id=question.upload_id)
    item = services.quiz_answer(user=user, quiz_id=quiz.pk, question_id=question.pk, choice=2)
    assert item.correct is True
    assert services.quiz_answer(user=user, quiz_id=quiz.pk, question_id=question.pk, choice=2).pk == item.pk
    with pytest.raises(ValidationError):
        services.quiz_answer(user=user, quiz_id=quiz.pk, question_id=question.pk, choice=1)
    Question.objects.filter(pk=question.pk).delete()
    assert quiz_result(quiz).correct == 1 and quiz.items.get().stem == question.stem


def test_quizzes_are_refused_without_questions_or_scope_and_hidden_from_others():
    upload = UploadFactory()
    with pytest.raises(ValidationError):
        services.quiz_create(user=upload.owner, upload_id=upload.pk)
    with pytest.raises(ValidationError):
        services.quiz_create(user=upload.owner)
    question = QuestionFactory(upload=upload)
    with pytest.raises(ValidationError):
        services.quiz_create(user=upload.owner, upload_id=upload.pk, size=0)
    intruder = UserFactory()
    with pytest.raises(Http404):
        services.quiz_create(user=intruder, upload_id=upload.pk)
    quiz = services.quiz_create(user=upload.owner, upload_id=upload.pk)
    with pytest.raises(Http404):
        services.quiz_answer(user=intruder, quiz_id=quiz.pk, question_id=question.pk, choice=0)


@pytest.mark.parametrize(
    ("expected", "typed", "verdict"),
    [
        ("Der erste Hauptsatz", "erste hauptsatz", "correct"),
        ("Übertragungsrate", "Uebertragungsrate", "correct"),
        ("mitochondria", "mitochondira", "correct"),
        ("exponential distribution", "distribution exponential", "correct"),
        ("Satz von Little", "Satz von Litle", "correct"),
        ("the arrival rate per unit of time", "arrival rate per time", "almost"),
        ("Kinetic energy", "potential energy", "wrong"),
        ("Vector", "", "wrong"),
    ],
)
def test_typed_answers_are_graded_correct_almost_or_wrong(expected, typed, verdict):
    assert grade(expected, typed).verdict == verdict


def test_a_cloze_card_is_answered_with_its_hidden_term():
    card = FlashcardFactory(kind="cloze", front="A {{c1::vector}} has a direction.", back="")
    assert expected_answer(card) == "vector"
    assert normalize("The  Vector!") == "vector"
