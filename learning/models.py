"""Study material generated from an upload: topics, flashcards and questions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from uploads.models import Upload


class OwnedQuerySet(models.QuerySet):
    def for_user(self, user: User) -> OwnedQuerySet:
        return self.filter(upload__owner=user)


class Origin(models.TextChoices):
    GENERATED = "generated", _("Generated")
    EDITED = "edited", _("Edited by you")
    OWN = "own", _("Written by you")


class SourceMixin(models.Model):
    """Where an item comes from: its page (or section) and a snippet that occurs there."""

    source_page = models.PositiveIntegerField(_("page"), null=True, blank=True)
    source_section = models.ForeignKey(
        "uploads.Section", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source_location = models.CharField(_("source"), max_length=300, blank=True)
    source_snippet = models.TextField(_("source snippet"), blank=True)
    # Reprocessing replaces only untouched generated items; edited and own ones stay.
    origin = models.CharField(_("origin"), max_length=10, choices=Origin.choices, default=Origin.GENERATED)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    @property
    def generated(self) -> bool:
        return self.origin == Origin.GENERATED


class Topic(models.Model):
    upload = models.ForeignKey(Upload, on_delete=models.CASCADE, related_name="topics")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), blank=True)
    order = models.PositiveIntegerField()
    level = models.PositiveSmallIntegerField(default=1)
    pages = models.JSONField(_("pages"), default=list, blank=True)
    key_terms = models.JSONField(default=list, blank=True)
    # Sections [first_section, last_section] in reading order belong to this topic.
    first_section = models.PositiveIntegerField(default=0)
    last_section = models.PositiveIntegerField(default=0)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["upload", "order"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self) -> str:
        return self.title


class Flashcard(SourceMixin):
    class Kind(models.TextChoices):
        BASIC = "basic", _("Basic")
        CLOZE = "cloze", _("Cloze")

    upload = models.ForeignKey(Upload, on_delete=models.CASCADE, related_name="flashcards")
    topic = models.ForeignKey(Topic, null=True, blank=True, on_delete=models.SET_NULL, related_name="flashcards")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.BASIC)
    front = models.TextField(_("front"), max_length=2000)
    back = models.TextField(_("back"), max_length=5000)
    suspended = models.BooleanField(_("suspended"), default=False, help_text=_("Left out of reviews."))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["upload", "id"]
        # A document's page of cards in order, and its count, straight from the index.
        indexes = [models.Index(fields=["upload", "id"], name="learning_card_upload_order")]
        verbose_name = _("flashcard")
        verbose_name_plural = _("flashcards")

    def __str__(self) -> str:
        return self.front[:80]


class Question(SourceMixin):
    MAX_OPTION_CHARS = 500  # each of the four options (a JSON list: no max_length of its own)

    upload = models.ForeignKey(Upload, on_delete=models.CASCADE, related_name="questions")
    topic = models.ForeignKey(Topic, null=True, blank=True, on_delete=models.SET_NULL, related_name="questions")
    stem = models.TextField(_("question"), max_length=2000)
    options = models.JSONField(_("options"))
    correct_index = models.PositiveSmallIntegerField()
    explanation = models.TextField(_("explanation"), blank=True, max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["upload", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.CheckConstraint(condition=models.Q(correct_index__lte=3), name="learning_question_index_0_3"),
        ]

    def __str__(self) -> str:
        return self.stem[:80]


class AIUsage(models.Model):
    """What one generation stage cost: the monthly budget sums these, and they outlive deleted uploads."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ai_usage")
    upload = models.ForeignKey(Upload, null=True, blank=True, on_delete=models.SET_NULL, related_name="ai_usage")
    task = models.CharField(max_length=16)
    model = models.CharField(max_length=100)
    requests = models.PositiveIntegerField(default=0)
    tokens_in = models.PositiveIntegerField(default=0)
    tokens_out = models.PositiveIntegerField(default=0)
    cached_answers = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("AI usage")
        verbose_name_plural = _("AI usage")

    def __str__(self) -> str:
        return f"{self.task} {self.tokens_in}+{self.tokens_out}"


class ReviewState(models.Model):
    """A student's FSRS memory state of one card; no row means the card is new to them."""

    class State(models.IntegerChoices):
        NEW = 0, _("New")
        LEARNING = 1, _("Learning")
        REVIEW = 2, _("Review")
        RELEARNING = 3, _("Relearning")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_states")
    flashcard = models.ForeignKey(Flashcard, on_delete=models.CASCADE, related_name="review_states")
    state = models.PositiveSmallIntegerField(_("state"), choices=State.choices, default=State.NEW)
    step = models.PositiveSmallIntegerField(null=True, blank=True)
    stability = models.FloatField(null=True, blank=True)
    difficulty = models.FloatField(null=True, blank=True)
    due = models.DateTimeField(_("due"))
    last_review = models.DateTimeField(_("last review"), null=True, blank=True)
    reps = models.PositiveIntegerField(_("reviews"), default=0)
    lapses = models.PositiveIntegerField(_("lapses"), default=0)

    class Meta:
        verbose_name = _("review state")
        verbose_name_plural = _("review states")
        constraints = [models.UniqueConstraint(fields=["user", "flashcard"], name="learning_one_state_per_card")]
        indexes = [models.Index(fields=["user", "due"])]

    def __str__(self) -> str:
        return f"{self.flashcard_id}: {self.get_state_display()} until {self.due:%Y-%m-%d %H:%M}"


class Rating(models.IntegerChoices):
    AGAIN = 1, _("Again")
    HARD = 2, _("Hard")
    GOOD = 3, _("Good")
    EASY = 4, _("Easy")


class Review(models.Model):
    """One answer to a card: the review log that stats and FSRS optimisation read."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviews")
    flashcard = models.ForeignKey(Flashcard, on_delete=models.CASCADE, related_name="reviews")
    rating = models.PositiveSmallIntegerField(_("rating"), choices=Rating.choices)
    state_before = models.PositiveSmallIntegerField(choices=ReviewState.State.choices)
    due = models.DateTimeField(_("next due"))
    stability = models.FloatField()
    difficulty = models.FloatField()
    reviewed_at = models.DateTimeField(_("reviewed at"))
    duration_ms = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-reviewed_at"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        indexes = [models.Index(fields=["user", "reviewed_at"])]

    def __str__(self) -> str:
        return f"{self.flashcard_id} {self.get_rating_display()}"


class Quiz(models.Model):
    """Multiple-choice questions over one upload or one topic, answered one at a time."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quizzes")
    upload = models.ForeignKey(Upload, on_delete=models.CASCADE, related_name="quizzes")
    topic = models.ForeignKey(Topic, null=True, blank=True, on_delete=models.SET_NULL, related_name="quizzes")
    title = models.CharField(_("title"), max_length=300)
    size = models.PositiveSmallIntegerField(_("questions"))
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("quiz")
        verbose_name_plural = _("quizzes")

    def __str__(self) -> str:
        return self.title


class QuizItem(models.Model):
    """One question of a quiz, copied so that the result survives edits and reprocessing."""

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="items")
    question = models.ForeignKey(Question, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    position = models.PositiveSmallIntegerField()
    stem = models.TextField()
    options = models.JSONField()
    correct_index = models.PositiveSmallIntegerField()
    explanation = models.TextField(blank=True)
    source = models.CharField(max_length=300, blank=True)
    source_snippet = models.TextField(blank=True)
    topic_title = models.CharField(max_length=300, blank=True)
    choice = models.PositiveSmallIntegerField(null=True, blank=True)
    correct = models.BooleanField(null=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["quiz", "position"]
        constraints = [models.UniqueConstraint(fields=["quiz", "position"], name="learning_quiz_item_position")]

    def __str__(self) -> str:
        return f"{self.quiz_id}#{self.position}"
