from __future__ import annotations

import factory

from learning.models import Flashcard, Question, Topic
from uploads.tests.factories import UploadFactory


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    upload = factory.SubFactory(UploadFactory)
    title = factory.Sequence(lambda n: f"Topic {n}")
    summary = "What this part of the lecture is about."
    order = factory.Sequence(int)
    pages = [1, 2]


class FlashcardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Flashcard

    upload = factory.SubFactory(UploadFactory)
    front = factory.Sequence(lambda n: f"What is term {n}?")
    back = factory.Sequence(lambda n: f"Definition number {n}")
    source_page = 1
    source_snippet = "Term: its definition."


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    upload = factory.SubFactory(UploadFactory)
    stem = factory.Sequence(lambda n: f"Which statement about term {n} is true?")
    options = factory.Sequence(lambda n: [f"Option A{n}", f"Option B{n}", f"Option C{n}", f"Option D{n}"])
    correct_index = factory.Sequence(lambda n: n % 4)
    explanation = "Because the lecture says so on page 1."
    source_page = 1
