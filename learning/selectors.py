"""Reads shared by services, views and admin."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import FilteredRelation, Prefetch, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import User
from learning.models import AIUsage, Flashcard, Question, Quiz, Review, ReviewState, Topic
from uploads.models import Upload
from uploads.selectors import upload_get_for_user


def ai_tokens_used_this_month(user: User) -> int:
    start = timezone.localtime().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    totals = AIUsage.objects.filter(user=user, created_at__gte=start).aggregate(
        tokens_in=Sum("tokens_in"), tokens_out=Sum("tokens_out")
    )
    return (totals["tokens_in"] or 0) + (totals["tokens_out"] or 0)


def ai_budget_spent(user: User) -> bool:
    budget = settings.OPENAI_MONTHLY_TOKEN_BUDGET
    return bool(budget) and ai_tokens_used_this_month(user) >= budget


# Study: what is due, what a topic holds, how well it is known.


@dataclass
class StudyQueue:
    cards: list[Flashcard]  # each with .review_state (None for a new card)
    due_count: int
    new_count: int
    learning_ahead: bool = False


def own_review_states(user: User) -> Prefetch:
    """Prefetch for a card: the student's state of each card in `card.own_states` (one query)."""
    return Prefetch("review_states", ReviewState.objects.filter(user=user), to_attr="own_states")


CARD_FIELDS = (
    "id",
    "upload_id",
    "kind",
    "front",
    "back",
    "topic_id",
    "source_page",
    "source_location",
    "source_snippet",
    "origin",
    "suspended",
    "created_at",
    "updated_at",
)
REVIEW_FIELDS = ("id", "state", "due", "last_review", "reps", "lapses", "stability", "difficulty")


def card_rows(cards: QuerySet[Flashcard], user: User) -> QuerySet[Flashcard, dict]:
    """The cards as dicts with the student's review state joined in (`own_state__state`...;
    `own_state__id` is None while the card is new): a page of cards is one query, not model
    instances plus a prefetch (`make bench`, list row)."""
    own = FilteredRelation("review_states", condition=Q(review_states__user=user))
    return cards.annotate(own_state=own).values(*CARD_FIELDS, *(f"own_state__{name}" for name in REVIEW_FIELDS))


def upload_topics(upload_id: int) -> QuerySet[Topic]:
    """An upload's material, in the document's order (the uploads pages and API show it)."""
    return Topic.objects.filter(upload_id=upload_id).order_by("order")


def upload_flashcards(upload_id: int) -> QuerySet[Flashcard]:
    return Flashcard.objects.filter(upload_id=upload_id).order_by("id")


def upload_questions(upload_id: int) -> QuerySet[Question]:
    return Question.objects.filter(upload_id=upload_id).order_by("id")


def topic_tree(topic: Topic) -> list[int]:
    """The topic and all topics below it."""
    children: dict[int | None, list[int]] = {}
    for pk, parent in Topic.objects.filter(upload_id=topic.upload_id).values_list("pk", "parent_id"):
        children.setdefault(parent, []).append(pk)
    found, todo = [], [topic.pk]
    while todo:
        pk = todo.pop()
        found.append(pk)
        todo.extend(children.get(pk, []))
    return found


def topic_flashcards(topic: Topic) -> QuerySet[Flashcard]:
    return Flashcard.objects.filter(upload_id=topic.upload_id, topic_id__in=topic_tree(topic))


def topic_questions(topic: Topic) -> QuerySet[Question]:
    return Question.objects.filter(upload_id=topic.upload_id, topic_id__in=topic_tree(topic))


def study_cards(user: User, *, upload_id: int | None = None, topic_id: int | None = None):
    """The cards a session may show: the student's own, of ready documents, not suspended."""
    cards = Flashcard.objects.for_user(user).filter(suspended=False, upload__status=Upload.Status.READY)
    if upload_id is not None:
        upload_get_for_user(user=user, upload_id=upload_id)
        cards = cards.filter(upload_id=upload_id)
    if topic_id is not None:
        topic = get_object_or_404(Topic.objects.for_user(user), pk=topic_id)
        cards = cards.filter(topic_id__in=topic_tree(topic))
    return cards


def local_day_start(now: datetime) -> datetime:
    return timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)


def new_cards_left_today(user: User, now: datetime) -> int:
    started = (
        Review.objects.filter(
            user=user, state_before=ReviewState.State.NEW, reviewed_at__gte=local_day_start(now), reviewed_at__lte=now
        )
        .values("flashcard_id")
        .distinct()
        .count()
    )
    return max(user.new_cards_per_day - started, 0)


def study_queue(
    user: User,
    *,
    upload_id: int | None = None,
    topic_id: int | None = None,
    limit: int = 50,
    now: datetime | None = None,
) -> StudyQueue:
    """Due cards first by due date, with today's new cards spread evenly among them (as Anki mixes them)."""
    now = now or timezone.now()
    cards = study_cards(user, upload_id=upload_id, topic_id=topic_id)
    states = ReviewState.objects.filter(user=user, flashcard__in=cards).select_related("flashcard")
    due = states.filter(due__lte=now).order_by("due")
    due_count = due.count()
    new_left = new_cards_left_today(user, now)
    unseen = cards.exclude(review_states__user=user).order_by("upload_id", "id")
    new = list(unseen[: min(new_left, limit)]) if new_left else []
    for card in new:
        card.review_state = None
    due_cards = [_with_state(state) for state in due[:limit]]
    queue = StudyQueue(interleave(due_cards, new)[:limit], due_count, min(new_left, unseen.count()))
    if not queue.cards:
        ahead = now + timedelta(minutes=settings.STUDY_LEARN_AHEAD_MINUTES)
        learning = states.filter(
            due__lte=ahead, state__in=[ReviewState.State.LEARNING, ReviewState.State.RELEARNING]
        ).order_by("due")
        queue.cards = [_with_state(state) for state in learning[:limit]]
        queue.learning_ahead = bool(queue.cards)
    return queue


def _with_state(state: ReviewState) -> Flashcard:
    card = state.flashcard
    card.review_state = state  # type: ignore[attr-defined]  # the one a card row carries
    return card


def interleave(due: list, new: list) -> list:
    """Spread `new` evenly through `due`: after k slots, about k·n/(d+n) of them are new."""
    out, d, n, total = [], 0, 0, len(due) + len(new)
    for slot in range(1, total + 1):
        if n < len(new) and (d >= len(due) or round(slot * len(new) / total) > n):
            out.append(new[n])
            n += 1
        else:
            out.append(due[d])
            d += 1
    return out


@dataclass
class RevisitTopic:
    title: str
    wrong: int
    topic_id: int | None


@dataclass
class QuizResult:
    total: int
    answered: int
    correct: int
    revisit: list[RevisitTopic]

    @property
    def score_percent(self) -> int:
        return round(100 * self.correct / self.total) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.answered == self.total


def quiz_result(quiz: Quiz) -> QuizResult:
    """The score, and the topics of the wrong answers, most missed first."""
    items = list(quiz.items.all())  # prefetch "items__question" where many quizzes are shown
    revisit: dict[str, RevisitTopic] = {}
    for item in items:
        if item.correct is False:
            title = item.topic_title or quiz.title
            entry = revisit.setdefault(title, RevisitTopic(title, 0, item.question.topic_id if item.question else None))
            entry.wrong += 1
    return QuizResult(
        total=len(items),
        answered=sum(item.choice is not None for item in items),
        correct=sum(bool(item.correct) for item in items),
        revisit=sorted(revisit.values(), key=lambda t: -t.wrong),
    )
