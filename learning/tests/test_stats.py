"""The dashboard's numbers, from reviews and quizzes made at known times."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from learning import services
from learning.models import Rating
from learning.selectors import local_day_start
from learning.stats import study_stats
from learning.tests.factories import FlashcardFactory, QuestionFactory, TopicFactory
from uploads.tests.factories import UploadFactory

pytestmark = pytest.mark.django_db


def test_stats_count_reviews_streak_retention_forecast_and_mastery(user):
    now = timezone.now()
    today = local_day_start(now) + timedelta(hours=12)
    upload = UploadFactory(owner=user)
    chapter = TopicFactory(upload=upload, title="Chapter")
    section = TopicFactory(upload=upload, parent=chapter, level=2, title="Section")
    known, shaky, fresh = (FlashcardFactory(upload=upload, topic=section) for _ in range(3))
    FlashcardFactory(upload=upload, topic=chapter)  # never reviewed
    # Three days in a row, ending yesterday: learnt, then reviewed once more (one kept, one forgotten).
    for card in (known, shaky):
        services.review_record(user=user, flashcard_id=card.pk, rating=Rating.EASY, now=today - timedelta(days=20))
        state = services.review_record(
            user=user, flashcard_id=card.pk, rating=Rating.GOOD, now=today - timedelta(days=3)
        )
    services.review_record(user=user, flashcard_id=shaky.pk, rating=Rating.AGAIN, now=today - timedelta(days=2))
    services.review_record(user=user, flashcard_id=fresh.pk, rating=Rating.GOOD, now=today - timedelta(days=1))
    quiz = services.quiz_create(user=user, upload_id=QuestionFactory(upload=upload, topic=section).upload_id)
    item = quiz.items.get()
    services.quiz_answer(user=user, quiz_id=quiz.pk, question_id=item.question_id, choice=item.correct_index)

    stats = study_stats(user, now=now)

    assert stats.streak == 3 and stats.reviews_total == 6  # the two reviews 20 days ago are also in the 30 days
    assert [d.count for d in stats.reviews_per_day[-4:]] == [2, 1, 1, 0]
    assert (stats.retention, stats.retention_reviews) == (0.667, 3)  # 3 review-state answers, 1 Again
    assert stats.due_today == 2  # shaky (relearning) and fresh (learning) are overdue
    assert sum(d.count for d in stats.forecast) + stats.due_today <= 3
    assert stats.forecast[0].day == (local_day_start(now) + timedelta(days=1)).date()
    assert state.due > now and stats.new_today == 1
    by_upload = {m.id: m for m in stats.uploads}[upload.pk]
    assert (by_upload.cards, by_upload.mastered, by_upload.mastery, by_upload.quiz_accuracy) == (4, 1, 0.25, 1.0)
    topics = {m.title: m for m in stats.topics}
    assert (topics["Section"].cards, topics["Section"].mastered) == (3, 1)
    assert (topics["Chapter"].cards, topics["Chapter"].mastered, topics["Chapter"].quiz_answers) == (4, 1, 1)


def test_the_stats_endpoint_answers_in_a_constant_number_of_queries(auth_client, user, django_assert_max_num_queries):
    def fill(count: int) -> None:
        upload = UploadFactory(owner=user)
        topic = TopicFactory(upload=upload)
        for card in FlashcardFactory.create_batch(count, upload=upload, topic=topic):
            services.review_record(user=user, flashcard_id=card.pk, rating=Rating.EASY)

    fill(2)
    with django_assert_max_num_queries(20) as few:
        first = auth_client.get("/api/v1/stats/").json()
    fill(20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = auth_client.get("/api/v1/stats/").json()
    assert first["reviews_per_day"][-1]["count"] == 2 and body["reviews_per_day"][-1]["count"] == 22
    assert len(body["uploads"]) == 2 and body["uploads"][0]["mastery"] == 1.0 and len(body["forecast"]) == 7
