"""Typed answers ("write mode") graded against the card: normalised, then fuzzy."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz import fuzz

from core.cloze import cloze_answers
from learning.models import Flashcard, Rating

ARTICLES = {"der", "die", "das", "den", "dem", "des", "ein", "eine", "einen", "the", "a", "an"}
FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
CORRECT_FROM = 90
ALMOST_FROM = 70


@dataclass(frozen=True)
class Grade:
    verdict: str  # "correct", "almost" or "wrong"
    score: int
    expected: str

    @property
    def suggested_rating(self) -> int:
        return {"correct": Rating.GOOD, "almost": Rating.HARD}.get(self.verdict, Rating.AGAIN)


def expected_answer(card: Flashcard) -> str:
    """A cloze card is answered with its hidden term(s), a basic card with its back."""
    if card.kind == Flashcard.Kind.CLOZE:
        return " / ".join(cloze_answers(card.front)) or card.back
    return card.back


def normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold().translate(FOLD)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    words = re.sub(r"[^\w\s]", " ", text).split()
    while len(words) > 1 and words[0] in ARTICLES:
        words = words[1:]
    return " ".join(words)


def grade(expected: str, typed: str) -> Grade:
    want, got = normalize(expected), normalize(typed)
    if not got:
        return Grade("wrong", 0, expected)
    # token_sort forgives word order ("Hauptsatz erster" for "erster Hauptsatz"), not missing words.
    score = round(max(fuzz.ratio(want, got), fuzz.token_sort_ratio(want, got)))
    verdict = "correct" if score >= CORRECT_FROM else "almost" if score >= ALMOST_FROM else "wrong"
    return Grade(verdict, score, expected)
