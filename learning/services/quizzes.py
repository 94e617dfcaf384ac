"""Quizzes: questions drawn from an upload or a topic, answered one at a time, scored."""

from __future__ import annotations

import random

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.rates import rate_check
from core.sources import source_label
from learning.models import Question, Quiz, QuizItem, Topic
from learning.selectors import topic_questions
from uploads.models import Upload
from uploads.selectors import upload_get_for_user

MAX_QUIZ_SIZE = 50


def _pool(user: User, upload_id: int | None, topic_id: int | None) -> tuple[QuerySet, Upload, Topic | None]:
    if (upload_id is None) == (topic_id is None):
        raise ValidationError(_("Choose either a document or a topic for the quiz."))
    if topic_id is not None:
        topic = get_object_or_404(Topic.objects.for_user(user).select_related("upload"), pk=topic_id)
        return topic_questions(topic), topic.upload, topic
    upload = upload_get_for_user(user=user, upload_id=upload_id or 0)
    return Question.objects.filter(upload=upload), upload, None


def _pick(user: User, questions: list[Question], size: int) -> list[Question]:
    """Questions the student has not yet got right come first; within each group the order is random."""
    right = set(
        QuizItem.objects.filter(quiz__user=user, correct=True, question__in=questions).values_list(
            "question_id", flat=True
        )
    )
    fresh = [q for q in questions if q.pk not in right]
    known = [q for q in questions if q.pk in right]
    random.shuffle(fresh)
    random.shuffle(known)
    return (fresh + known)[:size]


@transaction.atomic
def quiz_create(
    *,
    user: User,
    upload_id: int | None = None,
    topic_id: int | None = None,
    size: int | None = None,
) -> Quiz:
    size = settings.QUIZ_DEFAULT_SIZE if size is None else size
    rate_check(
        "quizzes",
        user.pk,
        _("You started many quizzes in a short time. Please finish one or wait a while."),
        code="too_many_quizzes",
    )
    if not 1 <= size <= MAX_QUIZ_SIZE:
        raise ValidationError({"size": _("A quiz has 1 to %(max)d questions.") % {"max": MAX_QUIZ_SIZE}})
    pool, upload, topic = _pool(user, upload_id, topic_id)
    questions = list(pool.select_related("topic"))
    if not questions:
        raise ValidationError(_("There are no questions to quiz you on here yet."))
    chosen = _pick(user, questions, size)
    quiz = Quiz.objects.create(
        user=user, upload=upload, topic=topic, title=topic.title if topic else upload.title, size=len(chosen)
    )
    QuizItem.objects.bulk_create(
        QuizItem(
            quiz=quiz,
            question=q,
            position=position,
            stem=q.stem,
            options=q.options,
            correct_index=q.correct_index,
            explanation=q.explanation,
            source=source_label(q),
            source_snippet=q.source_snippet,
            topic_title=q.topic.title if q.topic else "",
        )
        for position, q in enumerate(chosen, start=1)
    )
    return quiz


@transaction.atomic
def quiz_answer(
    *,
    user: User,
    quiz_id: int,
    question_id: int | None = None,
    choice: int,
    position: int | None = None,
) -> QuizItem:
    """Each question is answered once; sending the same answer again changes nothing. An item is
    named by its question or by its position: a quiz keeps its copy of a question that was deleted
    since, and that copy can still be answered by its position."""
    quiz = get_object_or_404(Quiz.objects.select_for_update(), pk=quiz_id, user=user)
    if position is not None:
        item = quiz.items.filter(position=position).first()
    else:
        item = quiz.items.filter(question_id=question_id).first() if question_id is not None else None
    if item is None:
        raise ValidationError({"question": _("This question is not part of the quiz.")})
    if not isinstance(choice, int) or not 0 <= choice < len(item.options):
        raise ValidationError({"choice": _("Choose one of the four options (0–3).")})
    if item.choice is not None:
        if item.choice != choice:
            raise ValidationError({"choice": _("You have already answered this question.")})
        return item
    item.choice = choice
    item.correct = choice == item.correct_index
    item.answered_at = timezone.now()
    item.save(update_fields=["choice", "correct", "answered_at"])
    if not quiz.items.filter(choice__isnull=True).exists():
        quiz.finished_at = item.answered_at
        quiz.save(update_fields=["finished_at"])
    return item
