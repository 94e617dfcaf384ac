"""Students edit, add, delete and suspend their material; reprocessing keeps what they touched."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from accounts.tests.factories import UserFactory
from learning import services
from learning.models import Flashcard, Origin, Question, Rating, ReviewState
from learning.tests.factories import FlashcardFactory, QuestionFactory, TopicFactory
from uploads import services as upload_services
from uploads.tests import documents
from uploads.tests.conftest import uploaded
from uploads.tests.factories import UploadFactory
from uploads.tests.helpers import run_pipeline

pytestmark = pytest.mark.django_db


def test_an_edit_marks_the_card_and_keeps_its_review_state():
    card = FlashcardFactory()
    user = card.upload.owner
    state = services.review_record(user=user, flashcard_id=card.pk, rating=Rating.EASY)
    edited = services.flashcard_update(user=user, flashcard_id=card.pk, back="A better answer")
    assert (edited.back, edited.origin) == ("A better answer", Origin.EDITED)
    kept = ReviewState.objects.get(flashcard=card)
    assert (kept.due, kept.reps, kept.stability) == (state.due, 1, state.stability)


def test_students_add_and_delete_items_and_the_counts_follow():
    upload = UploadFactory()
    user = upload.owner
    topic = TopicFactory(upload=upload)
    card = services.flashcard_create(
        user=user, upload_id=upload.pk, front="Was ist ein Stack?", back="LIFO", topic=topic.pk
    )
    cloze = services.flashcard_create(user=user, upload_id=upload.pk, kind="cloze", front="A {{c1::queue}} is FIFO.")
    question = services.question_create(
        user=user,
        upload_id=upload.pk,
        stem="Which is LIFO?",
        options=["Stack", "Queue", "Heap", "Tree"],
        correct_index=0,
    )
    assert (card.origin, card.topic, cloze.kind, question.origin) == ("own", topic, "cloze", "own")
    upload.refresh_from_db()
    assert (upload.flashcard_count, upload.question_count) == (2, 1)
    services.flashcard_delete(user=user, flashcard_id=card.pk)
    services.question_delete(user=user, question_id=question.pk)
    upload.refresh_from_db()
    assert (upload.flashcard_count, upload.question_count) == (1, 0)


@pytest.mark.parametrize(
    ("fields", "error_field"),
    [
        ({"front": " ", "back": "x"}, "front"),
        ({"front": "Q?", "back": ""}, "back"),
        ({"kind": "cloze", "front": "No gap here", "back": ""}, "front"),
        ({"kind": "reversed", "front": "Q?", "back": "A"}, "kind"),
    ],
)
def test_a_card_without_its_parts_is_refused(fields, error_field):
    upload = UploadFactory()
    with pytest.raises(ValidationError) as caught:
        services.flashcard_create(user=upload.owner, upload_id=upload.pk, **fields)
    assert error_field in caught.value.message_dict
    assert not Flashcard.objects.exists()


def test_a_question_needs_four_different_options_and_one_correct_one():
    question = QuestionFactory()
    user = question.upload.owner
    with pytest.raises(ValidationError) as caught:
        services.question_update(user=user, question_id=question.pk, options=["a", "A", "b", "c"], correct_index=7)
    assert set(caught.value.message_dict) == {"options", "correct_index"}
    question.refresh_from_db()
    assert question.origin == Origin.GENERATED


def test_a_topic_of_another_document_is_refused():
    card = FlashcardFactory()
    with pytest.raises(ValidationError):
        services.flashcard_update(user=card.upload.owner, flashcard_id=card.pk, topic=TopicFactory().pk)


def test_nobody_touches_another_students_items():
    card, question = FlashcardFactory(), QuestionFactory()
    intruder = UserFactory()
    attempts = [
        lambda: services.flashcard_update(user=intruder, flashcard_id=card.pk, front="mine"),
        lambda: services.flashcard_delete(user=intruder, flashcard_id=card.pk),
        lambda: services.flashcard_suspend(user=intruder, flashcard_id=card.pk),
        lambda: services.flashcard_create(user=intruder, upload_id=card.upload_id, front="Q", back="A"),
        lambda: services.question_update(user=intruder, question_id=question.pk, stem="mine"),
        lambda: services.question_delete(user=intruder, question_id=question.pk),
    ]
    for attempt in attempts:
        with pytest.raises(Http404):
            attempt()
    card.refresh_from_db()
    assert (card.front, card.suspended, Flashcard.objects.count(), Question.objects.count()) == (
        card.front,
        False,
        1,
        1,
    )


def test_reprocessing_keeps_edited_and_own_items_and_the_progress_of_unchanged_cards(
    django_capture_on_commit_callbacks,
):
    user = UserFactory()
    upload, _ = upload_services.upload_create(
        owner=user, file=uploaded("v.pdf", documents.make_pdf()), generator="offline"
    )
    upload = run_pipeline(upload)
    generated = list(Flashcard.objects.filter(upload=upload).order_by("id"))
    assert len(generated) >= 3
    edited = services.flashcard_update(user=user, flashcard_id=generated[0].pk, front="My own wording?")
    own = services.flashcard_create(user=user, upload_id=upload.pk, front="Why vectors?", back="Direction matters")
    untouched = generated[1]
    services.review_record(user=user, flashcard_id=untouched.pk, rating=Rating.GOOD)
    question = Question.objects.filter(upload=upload).first()
    services.question_update(user=user, question_id=question.pk, explanation="As I understand it.")

    upload = run_pipeline(upload_services.upload_reprocess(upload=upload, generator="offline"))

    assert upload.status == "ready"
    cards = {c.pk: c for c in Flashcard.objects.filter(upload=upload)}
    assert cards[edited.pk].front == "My own wording?" and cards[edited.pk].origin == "edited"
    assert cards[own.pk].origin == "own"
    assert untouched.pk in cards and ReviewState.objects.filter(flashcard_id=untouched.pk, reps=1).exists()
    assert Question.objects.get(pk=question.pk).explanation == "As I understand it."
    assert upload.flashcard_count == len(cards)
    fronts = [c.front for c in cards.values()]
    assert len(fronts) == len(set(fronts))  # the regenerated set did not duplicate the surviving cards
