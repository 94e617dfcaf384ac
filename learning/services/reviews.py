"""Answering a flashcard: FSRS moves its due date and the answer is logged."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from learning import scheduling
from learning.models import Flashcard, Rating, Review, ReviewState


@transaction.atomic
def review_record(
    *,
    user: User,
    flashcard_id: int,
    rating: int,
    duration_ms: int | None = None,
    now: datetime | None = None,
) -> ReviewState:
    """One answer: the card's state row is locked, so two taps of the same button count once each, in turn."""
    if rating not in Rating.values:
        raise ValidationError({"rating": _("Rate the card 1 (again), 2 (hard), 3 (good) or 4 (easy).")})
    card = get_object_or_404(Flashcard.objects.for_user(user), pk=flashcard_id)
    if card.suspended:
        raise ValidationError(_("This card is suspended; unsuspend it to review it."))
    now = now or timezone.now()
    ReviewState.objects.get_or_create(user=user, flashcard=card, defaults={"due": now})
    state = ReviewState.objects.select_for_update().get(user=user, flashcard=card)
    before = state.state
    reviewed = scheduling.review(scheduling.scheduler_for(user), state, card_id=card.pk, rating=rating, now=now)
    scheduling.state_from_card(state, reviewed)
    state.reps += 1
    if rating == Rating.AGAIN and before == ReviewState.State.REVIEW:
        state.lapses += 1
    state.save()
    if state.stability is None or state.difficulty is None:
        raise RuntimeError("the scheduler left the card without a memory state")
    Review.objects.create(
        user=user,
        flashcard=card,
        rating=rating,
        state_before=before,
        due=state.due,
        stability=state.stability,
        difficulty=state.difficulty,
        reviewed_at=now,
        duration_ms=duration_ms,
    )
    return state
