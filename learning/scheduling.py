"""FSRS through the `fsrs` package: our rows in, its Card out, and back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import fsrs
from django.conf import settings
from django.utils.translation import gettext as _

from accounts.models import User
from learning.models import Rating, ReviewState

State = ReviewState.State


def scheduler_for(user: User, *, fuzz: bool | None = None) -> fsrs.Scheduler:
    return fsrs.Scheduler(
        desired_retention=user.desired_retention,
        enable_fuzzing=settings.FSRS_ENABLE_FUZZING if fuzz is None else fuzz,
        maximum_interval=settings.FSRS_MAXIMUM_INTERVAL_DAYS,
    )


def card_from_state(state: ReviewState | None, *, card_id: int, now: datetime) -> fsrs.Card:
    """A new card has no row yet: fsrs starts it in Learning, step 0, due now."""
    if state is None or state.state == State.NEW:
        return fsrs.Card(card_id=card_id, due=now)
    return fsrs.Card(
        card_id=card_id,
        state=fsrs.State(state.state),
        step=state.step,
        stability=state.stability,
        difficulty=state.difficulty,
        due=state.due.astimezone(UTC),
        last_review=state.last_review.astimezone(UTC) if state.last_review else None,
    )


def state_from_card(state: ReviewState, card: fsrs.Card) -> None:
    state.state = int(card.state)
    state.step = card.step
    state.stability = card.stability
    state.difficulty = card.difficulty
    state.due = card.due
    state.last_review = card.last_review


def review(
    scheduler: fsrs.Scheduler, state: ReviewState | None, *, card_id: int, rating: int, now: datetime
) -> fsrs.Card:
    card = card_from_state(state, card_id=card_id, now=now)
    reviewed, _log = scheduler.review_card(card, fsrs.Rating(rating), review_datetime=now.astimezone(UTC))
    return reviewed


def intervals(user: User, state: ReviewState | None, *, card_id: int, now: datetime) -> dict[int, timedelta]:
    """What each rating would give, as on Anki's buttons (without the random fuzz, as Anki shows them)."""
    scheduler = scheduler_for(user, fuzz=False)
    return {
        rating: review(scheduler, state, card_id=card_id, rating=rating, now=now).due - now for rating in Rating.values
    }


def interval_label(interval: timedelta) -> str:
    """ "1 min", "10 min", "3 h", "4 d", "2.5 mo", "1.2 y": short enough for a button."""
    seconds = max(interval.total_seconds(), 0)
    minutes = seconds / 60
    if minutes < 60:
        return _("%(n)d min") % {"n": max(round(minutes), 1)}
    if minutes < 60 * 24:
        return _("%(n)d h") % {"n": round(minutes / 60)}
    days = seconds / 86400
    if days < 30:
        return _("%(n)d d") % {"n": round(days)}
    if days < 365:
        return _("%(n)s mo") % {"n": _decimal(days / 30)}
    return _("%(n)s y") % {"n": _decimal(days / 365)}


def _decimal(value: float) -> str:
    from django.utils.formats import number_format

    return number_format(round(value, 1), decimal_pos=1 if value < 10 else 0)
