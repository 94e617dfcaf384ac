"""The study dashboard's numbers (a selector module): due forecast, reviews per day, retention, streak, mastery.

A fixed number of queries whatever the number of cards; retrievability is computed in Python with FSRS.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import fsrs
from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from accounts.models import User
from learning.models import Flashcard, QuizItem, Rating, Review, ReviewState, Topic
from learning.scheduling import scheduler_for
from learning.selectors import local_day_start, new_cards_left_today
from uploads.models import Upload

State = ReviewState.State


@dataclass
class Mastery:
    id: int
    title: str
    cards: int = 0
    mastered: int = 0
    quiz_answers: int = 0
    quiz_correct: int = 0
    upload_id: int | None = None
    level: int = 1

    @property
    def mastery(self) -> float:
        return round(self.mastered / self.cards, 3) if self.cards else 0.0

    @property
    def quiz_accuracy(self) -> float | None:
        return round(self.quiz_correct / self.quiz_answers, 3) if self.quiz_answers else None


@dataclass
class DayCount:
    day: date
    count: int


@dataclass
class Stats:
    due_today: int
    new_today: int
    forecast: list[DayCount]
    reviews_per_day: list[DayCount]
    retention: float | None
    retention_reviews: int
    streak: int
    reviews_total: int
    uploads: list[Mastery] = field(default_factory=list)
    topics: list[Mastery] = field(default_factory=list)


def study_stats(user: User, now: datetime | None = None) -> Stats:
    now = now or timezone.now()
    today = local_day_start(now)
    cards = Flashcard.objects.for_user(user).filter(suspended=False, upload__status=Upload.Status.READY)
    states = list(
        ReviewState.objects.filter(user=user, flashcard__in=cards).values(
            "flashcard__upload_id", "flashcard__topic_id", "state", "stability", "last_review", "due"
        )
    )
    unseen = cards.exclude(review_states__user=user).count()
    uploads, topics = _mastery(user, cards, states, now)
    per_day, streak = _review_days(user, today)
    retention = Review.objects.filter(user=user, reviewed_at__gte=today - timedelta(days=29), state_before=State.REVIEW)
    retained = retention.aggregate(total=Count("id"), kept=Count("id", filter=Q(rating__gt=Rating.AGAIN)))
    return Stats(
        due_today=sum(s["due"] < today + timedelta(days=1) for s in states),
        new_today=min(new_cards_left_today(user, now), unseen),
        forecast=_forecast(states, today),
        reviews_per_day=per_day,
        retention=round(retained["kept"] / retained["total"], 3) if retained["total"] else None,
        retention_reviews=retained["total"],
        streak=streak,
        reviews_total=sum(d.count for d in per_day),
        uploads=uploads,
        topics=topics,
    )


def _forecast(states: list[dict], today: datetime) -> list[DayCount]:
    """Cards falling due on each of the next 7 days (today's are in due_today)."""
    days = [today + timedelta(days=offset) for offset in range(1, 8)]
    return [
        DayCount(start.date(), sum(start <= s["due"] < start + timedelta(days=1) for s in states)) for start in days
    ]


def _review_days(user: User, today: datetime) -> tuple[list[DayCount], int]:
    """Reviews per day of the last 30 days, and the streak of days with reviews up to today (or yesterday)."""
    since = today - timedelta(days=365)
    counts = dict(
        Review.objects.filter(user=user, reviewed_at__gte=since)
        .annotate(day=TruncDate("reviewed_at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    first = today.date() - timedelta(days=29)
    per_day = [DayCount(first + timedelta(days=i), counts.get(first + timedelta(days=i), 0)) for i in range(30)]
    day = today.date() if counts.get(today.date()) else today.date() - timedelta(days=1)
    streak = 0
    while counts.get(day):
        streak += 1
        day -= timedelta(days=1)
    return per_day, streak


def _mastery(user, cards, states: list[dict], now: datetime) -> tuple[list[Mastery], list[Mastery]]:
    """Mastered: a card in review whose chance of recall now is above the student's target retention."""
    uploads = {u.pk: Mastery(u.pk, u.title) for u in Upload.objects.for_user(user).ready().only("id", "title")}
    topic_rows = (
        Topic.objects.for_user(user)
        .filter(upload_id__in=uploads)
        .values_list("id", "parent_id", "title", "upload_id", "level")
    )
    parents = {pk: parent for pk, parent, *_ in topic_rows}
    topics = {pk: Mastery(pk, title, upload_id=upload_id, level=level) for pk, _, title, upload_id, level in topic_rows}

    def lineage(topic_id: int | None) -> list[Mastery]:
        chain = []
        while topic_id is not None and topic_id in topics:
            chain.append(topics[topic_id])
            topic_id = parents.get(topic_id)
        return chain

    for row in cards.values("upload_id", "topic_id").annotate(n=Count("id")):
        for entry in [uploads.get(row["upload_id"]), *lineage(row["topic_id"])]:
            if entry:
                entry.cards += row["n"]
    scheduler = scheduler_for(user, fuzz=False)
    for state in states:
        if state["state"] == State.REVIEW and _recall_chance(scheduler, state, now) > user.desired_retention:
            for entry in [uploads.get(state["flashcard__upload_id"]), *lineage(state["flashcard__topic_id"])]:
                if entry:
                    entry.mastered += 1
    answers = QuizItem.objects.filter(quiz__user=user, choice__isnull=False)
    for row in answers.values("quiz__upload_id", "question__topic_id").annotate(
        n=Count("id"), right=Count("id", filter=Q(correct=True))
    ):
        for entry in [uploads.get(row["quiz__upload_id"]), *lineage(row["question__topic_id"])]:
            if entry:
                entry.quiz_answers += row["n"]
                entry.quiz_correct += row["right"]
    return list(uploads.values()), sorted(topics.values(), key=lambda t: (t.upload_id, t.id))


def _recall_chance(scheduler: fsrs.Scheduler, state: dict, now: datetime) -> float:
    card = fsrs.Card(
        card_id=0,
        state=fsrs.State.Review,
        stability=state["stability"],
        last_review=state["last_review"].astimezone(UTC),
        due=state["due"].astimezone(UTC),
    )
    return float(scheduler.get_card_retrievability(card, current_datetime=now.astimezone(UTC)))


def topic_mastery(user: User, topic: Topic) -> Mastery:
    return next((t for t in study_stats(user).topics if t.id == topic.pk), Mastery(topic.pk, topic.title))
