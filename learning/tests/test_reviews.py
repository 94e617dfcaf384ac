"""FSRS reviews and the study queue, through the services and selectors."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import fsrs
import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from accounts.tests.factories import UserFactory
from learning import scheduling
from learning.models import Rating, Review, ReviewState
from learning.selectors import interleave, study_queue
from learning.services import review_record
from learning.tests.factories import FlashcardFactory
from uploads.tests.factories import UploadFactory

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize("retention", [0.9, 0.8])
def test_due_dates_equal_what_the_fsrs_package_gives_for_a_known_sequence(retention):
    user = UserFactory(desired_retention=retention)
    card = FlashcardFactory(upload__owner=user)
    reference = fsrs.Scheduler(desired_retention=retention)
    expected = fsrs.Card(card_id=card.pk, due=T0)
    now = T0
    # New card through learning into review, a lapse, relearning, and back to long intervals.
    for step, rating in enumerate([3, 3, 3, 3, 1, 3, 4, 2, 3]):
        random.seed(step)  # the same fuzz on both sides
        state = review_record(user=user, flashcard_id=card.pk, rating=rating, now=now)
        random.seed(step)
        expected, _log = reference.review_card(expected, fsrs.Rating(rating), review_datetime=now)
        assert state.due == expected.due, f"review {step + 1}"
        assert (state.state, state.step) == (expected.state, expected.step)
        assert state.stability == pytest.approx(expected.stability)
        assert state.difficulty == pytest.approx(expected.difficulty)
        now = state.due
    assert (state.reps, state.lapses) == (9, 1)
    assert Review.objects.filter(user=user, flashcard=card).count() == 9
    assert state.due - T0 > timedelta(days=30)


def test_the_interval_on_each_button_is_the_one_the_review_gives(settings):
    settings.FSRS_ENABLE_FUZZING = False
    user = UserFactory()
    cards = FlashcardFactory.create_batch(4, upload__owner=user)
    shown = scheduling.intervals(user, None, card_id=cards[0].pk, now=T0)
    assert [scheduling.interval_label(shown[r]) for r in Rating.values][:3] == ["1 min", "6 min", "10 min"]
    assert shown[Rating.EASY] >= timedelta(days=1)
    for card, rating in zip(cards, Rating.values, strict=True):
        state = review_record(user=user, flashcard_id=card.pk, rating=rating, now=T0)
        assert state.due - T0 == scheduling.intervals(user, None, card_id=card.pk, now=T0)[rating]


def test_a_reviewed_card_leaves_the_due_list_until_its_due_date():
    user = UserFactory()
    first, *others = FlashcardFactory.create_batch(3, upload__owner=user)
    assert [c.pk for c in study_queue(user, now=T0).cards] == [first.pk, *[c.pk for c in others]]
    state = review_record(user=user, flashcard_id=first.pk, rating=Rating.EASY, now=T0)
    assert state.state == ReviewState.State.REVIEW and state.due > T0 + timedelta(days=1)
    for moment in (T0 + timedelta(minutes=1), state.due - timedelta(minutes=1)):
        assert first.pk not in [c.pk for c in study_queue(user, now=moment).cards]
    assert first.pk in [c.pk for c in study_queue(user, now=state.due).cards]


def test_new_cards_are_limited_per_day_and_mixed_among_due_ones():
    user = UserFactory(new_cards_per_day=2)
    upload = UploadFactory(owner=user)
    seen = FlashcardFactory.create_batch(4, upload=upload)
    day_before = T0 - timedelta(days=1)
    user.new_cards_per_day = 10
    for card in seen:
        review_record(user=user, flashcard_id=card.pk, rating=Rating.EASY, now=day_before - timedelta(days=30))
    user.new_cards_per_day = 2
    unseen = FlashcardFactory.create_batch(5, upload=upload)
    queue = study_queue(user, now=T0)
    new_ids = {c.pk for c in unseen}
    kinds = ["new" if c.pk in new_ids else "due" for c in queue.cards]
    assert (queue.due_count, queue.new_count) == (4, 2)
    assert kinds == ["due", "new", "due", "due", "new", "due"]
    review_record(user=user, flashcard_id=queue.cards[1].pk, rating=Rating.GOOD, now=T0)
    assert study_queue(user, now=T0 + timedelta(minutes=1)).new_count == 1
    assert study_queue(user, now=T0 + timedelta(days=1)).new_count == 2  # a new day, a new allowance


def test_learning_cards_come_early_only_when_nothing_else_is_left():
    user = UserFactory()
    card = FlashcardFactory(upload__owner=user)
    review_record(user=user, flashcard_id=card.pk, rating=Rating.GOOD, now=T0)  # due in 10 minutes
    other = FlashcardFactory(upload=card.upload)
    queue = study_queue(user, now=T0 + timedelta(minutes=1))
    assert [c.pk for c in queue.cards] == [other.pk] and not queue.learning_ahead
    review_record(user=user, flashcard_id=other.pk, rating=Rating.EASY, now=T0 + timedelta(minutes=1))
    queue = study_queue(user, now=T0 + timedelta(minutes=2))
    assert [c.pk for c in queue.cards] == [card.pk] and queue.learning_ahead


def test_the_queue_is_scoped_to_an_upload_or_topic_and_skips_suspended_and_unready_cards():
    user = UserFactory()
    one, two = UploadFactory(owner=user), UploadFactory(owner=user)
    processing = UploadFactory(owner=user, status="generating")
    a = FlashcardFactory(upload=one)
    FlashcardFactory(upload=one, suspended=True)
    b = FlashcardFactory(upload=two)
    FlashcardFactory(upload=processing)
    assert {c.pk for c in study_queue(user, now=T0).cards} == {a.pk, b.pk}
    assert [c.pk for c in study_queue(user, upload_id=two.pk, now=T0).cards] == [b.pk]


def test_a_suspended_or_foreign_card_cannot_be_reviewed_and_ratings_are_checked():
    user = UserFactory()
    card = FlashcardFactory(upload__owner=user, suspended=True)
    with pytest.raises(ValidationError):
        review_record(user=user, flashcard_id=card.pk, rating=Rating.GOOD)
    with pytest.raises(Http404):
        review_record(user=UserFactory(), flashcard_id=card.pk, rating=Rating.GOOD)
    card.suspended = False
    card.save()
    with pytest.raises(ValidationError):
        review_record(user=user, flashcard_id=card.pk, rating=5)
    assert not Review.objects.exists()


def test_interleave_spreads_new_cards_evenly():
    assert interleave(list("dddd"), list("nn")) == list("dnddnd")
    assert interleave([], list("nn")) == list("nn")
    assert interleave(list("dd"), []) == list("dd")
