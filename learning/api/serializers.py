from __future__ import annotations

from rest_framework import serializers

from learning.models import Flashcard, Question, Topic

SOURCE_FIELDS = ["source_page", "source_location", "source_snippet"]


class FlashcardSerializer(serializers.ModelSerializer):
    class Meta:
        model = Flashcard
        fields = ["id", "kind", "front", "back", "topic", *SOURCE_FIELDS, "generated"]


class QuestionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Question
        fields = ["id", "stem", "options", "correct_index", "explanation", "topic", *SOURCE_FIELDS, "generated"]


class TopicSerializer(serializers.ModelSerializer):
    class Meta:
        model = Topic
        fields = ["id", "parent", "title", "summary", "level", "order", "pages", "key_terms"]
