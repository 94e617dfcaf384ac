from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, tzinfo

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.numbers import parse_int
from learning import scheduling
from learning.models import Flashcard, Origin, Question, Quiz, QuizItem, Rating, ReviewState, Topic
from learning.selectors import quiz_result
from uploads.models import Upload

SOURCE_FIELDS = ["source_page", "source_location", "source_snippet"]
RATING_NAMES = {"again": Rating.AGAIN, "hard": Rating.HARD, "good": Rating.GOOD, "easy": Rating.EASY}


class OwnUploadField(serializers.PrimaryKeyRelatedField):
    """Only the student's own documents can be named; another id reads as 'does not exist'."""

    def get_queryset(self):
        return Upload.objects.for_user(self.context["request"].user)


class OwnTopicField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return Topic.objects.for_user(self.context["request"].user)


class ReviewStateSerializer(serializers.ModelSerializer):
    state = serializers.SerializerMethodField()

    class Meta:
        model = ReviewState
        fields = ["state", "due", "last_review", "reps", "lapses", "stability", "difficulty"]

    @extend_schema_field(serializers.ChoiceField(choices=["new", "learning", "review", "relearning"]))
    def get_state(self, state: ReviewState) -> str:
        return ReviewState.State(state.state).name.lower()


def _datetime(value: datetime | None, zone: tzinfo) -> str | None:
    """What DRF's DateTimeField writes (ISO 8601 in the current time zone, "Z" for UTC), without its checks."""
    if value is None:
        return None
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


_STATE_NAMES = {state.value: state.name.lower() for state in ReviewState.State}


def cards_json(rows: Iterable[dict]) -> list[dict]:
    """Cards as FlashcardSerializer writes them, from `selectors.card_rows`: a page of cards
    without DRF's machinery per field (`make bench`, list row); a test compares the two."""
    zone = timezone.get_current_timezone()
    return [_card_json(row, zone) for row in rows]


def _card_json(row: dict, zone: tzinfo) -> dict:
    review = None
    if row["own_state__id"] is not None:
        stability, difficulty = row["own_state__stability"], row["own_state__difficulty"]
        review = {
            "state": _STATE_NAMES[row["own_state__state"]],
            "due": _datetime(row["own_state__due"], zone),
            "last_review": _datetime(row["own_state__last_review"], zone),
            "reps": row["own_state__reps"],
            "lapses": row["own_state__lapses"],
            "stability": None if stability is None else float(stability),
            "difficulty": None if difficulty is None else float(difficulty),
        }
    return {
        "id": row["id"],
        "upload": row["upload_id"],
        "kind": row["kind"],
        "front": row["front"],
        "back": row["back"],
        "topic": row["topic_id"],
        "source_page": row["source_page"],
        "source_location": row["source_location"],
        "source_snippet": row["source_snippet"],
        "origin": row["origin"],
        "generated": row["origin"] == Origin.GENERATED,
        "suspended": row["suspended"],
        "review": review,
        "created_at": _datetime(row["created_at"], zone),
        "updated_at": _datetime(row["updated_at"], zone),
    }


def _card_review(card: Flashcard) -> ReviewState | None:
    # A single card prefetches `own_states`; the study queue sets `review_state`.
    states = getattr(card, "own_states", None)
    return (states or [None])[0] if states is not None else getattr(card, "review_state", None)


class FlashcardSerializer(serializers.ModelSerializer):
    """A card as the student sees and edits it; `review` is their FSRS state (null while the card is new)."""

    upload = OwnUploadField()
    topic = OwnTopicField(required=False, allow_null=True)
    generated = serializers.BooleanField(read_only=True)
    review = serializers.SerializerMethodField()

    class Meta:
        model = Flashcard
        fields = [
            "id",
            "upload",
            "kind",
            "front",
            "back",
            "topic",
            *SOURCE_FIELDS,
            "origin",
            "generated",
            "suspended",
            "review",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["source_location", "source_snippet", "origin", "created_at", "updated_at"]
        extra_kwargs = {"back": {"required": False, "allow_blank": True}}

    @extend_schema_field(ReviewStateSerializer(allow_null=True))
    def get_review(self, card: Flashcard) -> dict | None:
        state = _card_review(card)
        return ReviewStateSerializer(state).data if state else None

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            fields["upload"].read_only = True  # a card stays with its document
        return fields


class QuestionSerializer(serializers.ModelSerializer):
    upload = OwnUploadField()
    topic = OwnTopicField(required=False, allow_null=True)
    generated = serializers.BooleanField(read_only=True)
    options = serializers.ListField(child=serializers.CharField(), min_length=4, max_length=4)

    class Meta:
        model = Question
        fields = [
            "id",
            "upload",
            "stem",
            "options",
            "correct_index",
            "explanation",
            "topic",
            *SOURCE_FIELDS,
            "origin",
            "generated",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["source_location", "source_snippet", "origin", "created_at", "updated_at"]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            fields["upload"].read_only = True
        return fields


class TopicSerializer(serializers.ModelSerializer):
    class Meta:
        model = Topic
        fields = ["id", "parent", "title", "summary", "level", "order", "pages", "key_terms"]


class IntervalSerializer(serializers.Serializer):
    seconds = serializers.IntegerField()
    label = serializers.CharField()


class IntervalsSerializer(serializers.Serializer):
    again = IntervalSerializer()
    hard = IntervalSerializer()
    good = IntervalSerializer()
    easy = IntervalSerializer()


class DueCardSerializer(FlashcardSerializer):
    """A card to study, with the interval each rating would give (for the buttons)."""

    intervals = serializers.SerializerMethodField()

    class Meta(FlashcardSerializer.Meta):
        fields = [*FlashcardSerializer.Meta.fields, "intervals"]

    @extend_schema_field(IntervalsSerializer)
    def get_intervals(self, card: Flashcard) -> dict:
        user, now = self.context["request"].user, self.context.get("now") or timezone.now()
        shown = scheduling.intervals(user, card.review_state, card_id=card.pk, now=now)
        return {
            name: {"seconds": int(shown[rating].total_seconds()), "label": scheduling.interval_label(shown[rating])}
            for name, rating in RATING_NAMES.items()
        }


class DueSerializer(serializers.Serializer):
    due_count = serializers.IntegerField(help_text="Cards due now in this scope (all of them, not only this page).")
    new_count = serializers.IntegerField(help_text="New cards still allowed today in this scope.")
    learning_ahead = serializers.BooleanField(help_text="True when only learning cards due soon are left.")
    results = DueCardSerializer(many=True, source="cards")


class DueQuerySerializer(serializers.Serializer):
    upload = serializers.IntegerField(required=False)
    topic = serializers.IntegerField(required=False)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=200, default=50)


@extend_schema_field(
    {"oneOf": [{"type": "integer", "enum": [1, 2, 3, 4]}, {"type": "string", "enum": list(RATING_NAMES)}]}
)
class RatingField(serializers.Field):
    """1–4, or again / hard / good / easy."""

    def to_internal_value(self, data: object) -> int:
        if isinstance(data, str) and data.lower() in RATING_NAMES:
            return int(RATING_NAMES[data.lower()])
        number = parse_int(data, maximum=4)
        if number is not None and number in Rating.values:
            return number
        raise serializers.ValidationError("Rate the card 1 (again), 2 (hard), 3 (good) or 4 (easy).")

    def to_representation(self, value: int) -> int:
        return value


class ReviewInputSerializer(serializers.Serializer):
    rating = RatingField()
    duration_ms = serializers.IntegerField(required=False, min_value=0, max_value=3_600_000)


class ReviewResultSerializer(serializers.Serializer):
    flashcard = serializers.IntegerField(source="flashcard_id")
    due = serializers.DateTimeField(help_text="When the card is due next.")
    interval_seconds = serializers.SerializerMethodField()
    review = ReviewStateSerializer(source="*")

    def get_interval_seconds(self, state: ReviewState) -> int:
        return int((state.due - (state.last_review or state.due)).total_seconds())


class CheckInputSerializer(serializers.Serializer):
    answer = serializers.CharField(allow_blank=True, max_length=2000, trim_whitespace=True)


class CheckResultSerializer(serializers.Serializer):
    verdict = serializers.ChoiceField(choices=["correct", "almost", "wrong"])
    score = serializers.IntegerField(help_text="Similarity 0–100 after normalising case, accents and articles.")
    expected = serializers.CharField()
    suggested_rating = serializers.IntegerField()


class QuizCreateSerializer(serializers.Serializer):
    upload = serializers.IntegerField(required=False)
    topic = serializers.IntegerField(required=False)
    size = serializers.IntegerField(required=False, min_value=1, max_value=50)


class QuizItemSerializer(serializers.ModelSerializer):
    """The correct answer, explanation and source appear once the question is answered."""

    question = serializers.IntegerField(source="question_id", allow_null=True)

    class Meta:
        model = QuizItem
        fields = [
            "question",
            "position",
            "stem",
            "options",
            "choice",
            "correct",
            "correct_index",
            "explanation",
            "source",
            "source_snippet",
            "topic_title",
            "answered_at",
        ]

    def to_representation(self, item: QuizItem) -> dict:
        data = super().to_representation(item)
        if item.choice is None:
            for hidden in ("correct_index", "explanation", "source", "source_snippet"):
                data[hidden] = None
        return data


class RevisitSerializer(serializers.Serializer):
    title = serializers.CharField()
    wrong = serializers.IntegerField()
    topic = serializers.IntegerField(source="topic_id", allow_null=True)


class QuizResultSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    answered = serializers.IntegerField()
    correct = serializers.IntegerField()
    score_percent = serializers.IntegerField()
    finished = serializers.BooleanField()
    revisit = RevisitSerializer(many=True)


class QuizSerializer(serializers.ModelSerializer):
    items = QuizItemSerializer(many=True)
    result = serializers.SerializerMethodField()

    class Meta:
        model = Quiz
        fields = ["id", "upload", "topic", "title", "size", "created_at", "finished_at", "items", "result"]

    @extend_schema_field(QuizResultSerializer)
    def get_result(self, quiz: Quiz) -> dict:

        return QuizResultSerializer(quiz_result(quiz)).data


class QuizAnswerInputSerializer(serializers.Serializer):
    question = serializers.IntegerField(required=False, help_text="The question's id.")
    position = serializers.IntegerField(
        required=False, min_value=0, help_text="Or the item's position: also when its question was deleted since."
    )
    choice = serializers.IntegerField(min_value=0, max_value=3)

    def validate(self, attrs: dict) -> dict:
        if "question" not in attrs and "position" not in attrs:
            raise serializers.ValidationError({"question": "Give the question's id or the item's position."})
        return attrs


class QuizAnswerSerializer(QuizItemSerializer):
    quiz = serializers.SerializerMethodField()

    class Meta(QuizItemSerializer.Meta):
        fields = [*QuizItemSerializer.Meta.fields, "quiz"]

    @extend_schema_field(QuizResultSerializer)
    def get_quiz(self, item: QuizItem) -> dict:

        return QuizResultSerializer(quiz_result(item.quiz)).data


class DayCountSerializer(serializers.Serializer):
    day = serializers.DateField()
    count = serializers.IntegerField()


class MasterySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    upload = serializers.IntegerField(source="upload_id", allow_null=True)
    level = serializers.IntegerField()
    cards = serializers.IntegerField()
    mastered = serializers.IntegerField(help_text="Cards in review whose chance of recall is above your target.")
    mastery = serializers.FloatField(help_text="mastered / cards, 0–1.")
    quiz_answers = serializers.IntegerField()
    quiz_accuracy = serializers.FloatField(allow_null=True)


class UploadMasterySerializer(MasterySerializer):
    upload = None
    level = None


class StatsSerializer(serializers.Serializer):
    due_today = serializers.IntegerField(help_text="Cards due by the end of today.")
    new_today = serializers.IntegerField(help_text="New cards still allowed today.")
    forecast = DayCountSerializer(many=True, help_text="Cards due on each of the next 7 days.")
    reviews_per_day = DayCountSerializer(many=True, help_text="The last 30 days, oldest first.")
    retention = serializers.FloatField(
        allow_null=True, help_text="Share of review-state answers of the last 30 days not rated Again."
    )
    retention_reviews = serializers.IntegerField()
    streak = serializers.IntegerField(help_text="Days in a row with at least one review.")
    reviews_total = serializers.IntegerField(help_text="Reviews of the last 30 days.")
    uploads = UploadMasterySerializer(many=True)
    topics = MasterySerializer(many=True)
