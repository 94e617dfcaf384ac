from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import ServiceFormMixin
from learning.models import Flashcard, Question, Topic

LETTERS = "ABCD"


class _TopicChoiceMixin:
    def limit_topics(self, upload_id: int) -> None:
        self.fields["topic"].queryset = Topic.objects.filter(upload_id=upload_id).order_by("order")  # type: ignore[attr-defined]


class FlashcardForm(ServiceFormMixin, _TopicChoiceMixin, forms.ModelForm):
    class Meta:
        model = Flashcard
        fields = ["kind", "front", "back", "topic", "source_page"]
        widgets = {"front": forms.Textarea(attrs={"rows": 3}), "back": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"front": _("For a cloze card, mark the gap like this: {{c1::term}}.")}

    def __init__(self, *args: Any, upload_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["back"].required = False
        self.limit_topics(upload_id)

    def _post_clean(self) -> None:
        """The service validates and saves; the model's own validation would run twice."""


class QuestionForm(ServiceFormMixin, _TopicChoiceMixin, forms.ModelForm):
    option_a = forms.CharField(label=_("Option A"), max_length=500)
    option_b = forms.CharField(label=_("Option B"), max_length=500)
    option_c = forms.CharField(label=_("Option C"), max_length=500)
    option_d = forms.CharField(label=_("Option D"), max_length=500)
    correct = forms.ChoiceField(label=_("Correct option"), choices=[(letter, letter) for letter in LETTERS])

    class Meta:
        model = Question
        fields = ["stem", "explanation", "topic", "source_page"]
        widgets = {"stem": forms.Textarea(attrs={"rows": 2}), "explanation": forms.Textarea(attrs={"rows": 3})}

    field_order = ["stem", "option_a", "option_b", "option_c", "option_d", "correct", "explanation"]

    def __init__(self, *args: Any, upload_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limit_topics(upload_id)
        if self.instance.pk:
            for letter, option in zip(LETTERS, self.instance.options, strict=False):
                self.initial[f"option_{letter.lower()}"] = option
            self.initial["correct"] = LETTERS[self.instance.correct_index]

    def _post_clean(self) -> None:
        pass

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "stem": data["stem"],
            "options": [data[f"option_{letter.lower()}"] for letter in LETTERS],
            "correct_index": LETTERS.index(data["correct"]),
            "explanation": data["explanation"],
            "topic": data["topic"],
            "source_page": data["source_page"],
        }


class QuizForm(forms.Form):
    size = forms.IntegerField(label=_("Questions"), min_value=1, max_value=50, initial=10)
