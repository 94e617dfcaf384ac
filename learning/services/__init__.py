"""Every write of the learning app, by sub-domain: generation (the worker's stages), study items, reviews, quizzes."""

from learning.services.generation import (
    flashcards_generate,
    generation_finish,
    offline_generate,
    questions_generate,
    topics_extract,
)
from learning.services.items import (
    flashcard_create,
    flashcard_delete,
    flashcard_suspend,
    flashcard_update,
    question_create,
    question_delete,
    question_update,
)
from learning.services.quizzes import quiz_answer, quiz_create
from learning.services.reviews import review_record

__all__ = [
    "flashcard_create",
    "flashcard_delete",
    "flashcard_suspend",
    "flashcard_update",
    "flashcards_generate",
    "generation_finish",
    "offline_generate",
    "question_create",
    "question_delete",
    "question_update",
    "questions_generate",
    "quiz_answer",
    "quiz_create",
    "review_record",
    "topics_extract",
]
