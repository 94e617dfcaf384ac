"""Study material generated from an upload: topics, flashcards and questions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from uploads.models import Upload


class OwnedQuerySet(models.QuerySet):
    def for_user(self, user: settings.AUTH_USER_MODEL) -> OwnedQuerySet:
        return self.filter(upload__owner=user)


class SourceMixin(models.Model):
    """Where an item comes from: its page (or section) and a snippet that occurs there."""

    source_page = models.PositiveIntegerField(_("page"), null=True, blank=True)
    source_section = models.ForeignKey(
        "uploads.Section", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source_location = models.CharField(_("source"), max_length=300, blank=True)
    source_snippet = models.TextField(_("source snippet"), blank=True)
    generated = models.BooleanField(default=True, help_text="False for items a student wrote or edited.")

    class Meta:
        abstract = True


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
    front = models.TextField(_("front"))
    back = models.TextField(_("back"))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["upload", "id"]
        verbose_name = _("flashcard")
        verbose_name_plural = _("flashcards")

    def __str__(self) -> str:
        return self.front[:80]


class Question(SourceMixin):
    upload = models.ForeignKey(Upload, on_delete=models.CASCADE, related_name="questions")
    topic = models.ForeignKey(Topic, null=True, blank=True, on_delete=models.SET_NULL, related_name="questions")
    stem = models.TextField(_("question"))
    options = models.JSONField(_("options"))
    correct_index = models.PositiveSmallIntegerField()
    explanation = models.TextField(_("explanation"), blank=True)
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
