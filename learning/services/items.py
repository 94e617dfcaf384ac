"""Students edit, add, delete and suspend flashcards and questions: the one write path for web and API."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from accounts.models import User
from core.cloze import CLOZE
from learning.models import Flashcard, Origin, Question, Topic
from uploads.models import Upload
from uploads.selectors import upload_get_for_user
from uploads.services import upload_counts_set

CARD_FIELDS = ("kind", "front", "back", "topic", "source_page")
QUESTION_FIELDS = ("stem", "options", "correct_index", "explanation", "topic", "source_page")


def _own_upload(user: User, upload_id: int) -> Upload:
    return upload_get_for_user(user=user, upload_id=upload_id)


def _check_topic(topic: Topic | int | None, upload_id: int) -> Topic | None:
    topic_id = topic.pk if isinstance(topic, Topic) else topic
    if topic_id is None:
        return None
    found = Topic.objects.filter(pk=topic_id, upload_id=upload_id).first()
    if found is None:
        raise ValidationError({"topic": _("Choose a topic of the same document.")})
    return found


# The most a student may write into one field (the web forms, the API and the admin alike): the
# model fields' max_length, so forms, serializers and these checks read one number.
MAX_FRONT_CHARS: int = Flashcard._meta.get_field("front").max_length or 0
MAX_BACK_CHARS: int = Flashcard._meta.get_field("back").max_length or 0
MAX_STEM_CHARS: int = Question._meta.get_field("stem").max_length or 0
MAX_EXPLANATION_CHARS: int = Question._meta.get_field("explanation").max_length or 0
MAX_OPTION_CHARS = Question.MAX_OPTION_CHARS


def _too_long(value: str, limit: int) -> str | None:
    if len(value) <= limit:
        return None
    return _("At most %(limit)d characters (this has %(length)d).") % {"limit": limit, "length": len(value)}


def _check_card(kind: str, front: str, back: str) -> None:
    errors = {}
    for field, value, limit in (("front", front, MAX_FRONT_CHARS), ("back", back, MAX_BACK_CHARS)):
        if message := _too_long(value, limit):
            errors[field] = message
    if errors:
        raise ValidationError(errors)
    if kind not in Flashcard.Kind.values:
        errors["kind"] = _("Choose basic or cloze.")
    if not front.strip():
        errors["front"] = _("Write the front of the card.")
    elif kind == Flashcard.Kind.CLOZE and not CLOZE.search(front):
        errors["front"] = _("A cloze card marks its gap like this: {{c1::term}}.")
    if not back.strip() and kind == Flashcard.Kind.BASIC:
        errors["back"] = _("Write the answer on the back of the card.")
    if errors:
        raise ValidationError(errors)


def _check_question(stem: str, options: Any, correct_index: Any, explanation: str = "") -> None:
    errors = {}
    if message := _too_long(stem, MAX_STEM_CHARS):
        errors["stem"] = message
    if message := _too_long(explanation or "", MAX_EXPLANATION_CHARS):
        errors["explanation"] = message
    if isinstance(options, list) and any(len(str(o)) > MAX_OPTION_CHARS for o in options):
        errors["options"] = _("An option has at most %(limit)d characters.") % {"limit": MAX_OPTION_CHARS}
    if errors:
        raise ValidationError(errors)
    if not stem.strip():
        errors["stem"] = _("Write the question.")
    clean = [str(o).strip() for o in options] if isinstance(options, list) else []
    if len(clean) != 4 or not all(clean) or len({o.casefold() for o in clean}) != 4:
        errors["options"] = _("Give four different answer options.")
    if not isinstance(correct_index, int) or not 0 <= correct_index <= 3:
        errors["correct_index"] = _("Mark which of the four options is correct (0–3).")
    if errors:
        raise ValidationError(errors)


def flashcard_create(
    *,
    user: User,
    upload_id: int,
    front: str,
    back: str = "",
    kind: str = Flashcard.Kind.BASIC,
    topic: Topic | int | None = None,
    source_page: int | None = None,
) -> Flashcard:
    upload = _own_upload(user, upload_id)
    _check_card(kind, front, back)
    card = Flashcard.objects.create(
        upload=upload,
        kind=kind,
        front=front.strip(),
        back=back.strip(),
        topic=_check_topic(topic, upload.pk),
        source_page=source_page,
        origin=Origin.OWN,
    )
    _recount(upload.pk)
    return card


def flashcard_update(*, user: User, flashcard_id: int, **changes: Any) -> Flashcard:
    """An edited card is the student's: reprocessing keeps it, and its review state stays as it was."""
    card = get_object_or_404(Flashcard.objects.for_user(user), pk=flashcard_id)
    if "suspended" in changes:
        card.suspended = bool(changes["suspended"])  # leaving a card out of reviews is no edit of it
    edited = _apply_changes(card, changes, CARD_FIELDS)
    _check_card(card.kind, card.front, card.back)
    _save_edit(card, edited)
    return card


def _apply_changes(item: Flashcard | Question, changes: dict[str, Any], allowed: tuple[str, ...]) -> bool:
    """Sets what really changed; True if the content did (which makes a generated item the student's)."""
    edited = False
    for field, value in changes.items():
        if field not in allowed:
            continue
        if field == "topic":
            value = _check_topic(value, item.upload_id)
            edited |= item.topic_id != (value.pk if value else None)
        else:
            if isinstance(value, str):
                value = value.strip()
            elif isinstance(value, list):
                value = [str(v).strip() for v in value]
            edited |= getattr(item, field) != value
        setattr(item, field, value)
    return edited


def _save_edit(item: Flashcard | Question, edited: bool) -> None:
    if edited and item.origin == Origin.GENERATED:
        item.origin = Origin.EDITED
    item.save()


def flashcard_suspend(*, user: User, flashcard_id: int, suspended: bool = True) -> Flashcard:
    card = get_object_or_404(Flashcard.objects.for_user(user), pk=flashcard_id)
    card.suspended = suspended
    card.save(update_fields=["suspended", "updated_at"])
    return card


def flashcard_delete(*, user: User, flashcard_id: int) -> int:
    """Returns the card's upload id, for the page to go back to."""
    card = get_object_or_404(Flashcard.objects.for_user(user), pk=flashcard_id)
    card.delete()
    _recount(card.upload_id)
    return card.upload_id


def question_create(
    *,
    user: User,
    upload_id: int,
    stem: str,
    options: list[str],
    correct_index: int,
    explanation: str = "",
    topic: Topic | int | None = None,
    source_page: int | None = None,
) -> Question:
    upload = _own_upload(user, upload_id)
    _check_question(stem, options, correct_index, explanation)
    question = Question.objects.create(
        upload=upload,
        stem=stem.strip(),
        options=[str(o).strip() for o in options],
        correct_index=correct_index,
        explanation=explanation.strip(),
        topic=_check_topic(topic, upload.pk),
        source_page=source_page,
        origin=Origin.OWN,
    )
    _recount(upload.pk)
    return question


def question_update(*, user: User, question_id: int, **changes: Any) -> Question:
    question = get_object_or_404(Question.objects.for_user(user), pk=question_id)
    edited = _apply_changes(question, changes, QUESTION_FIELDS)
    _check_question(question.stem, question.options, question.correct_index, question.explanation)
    _save_edit(question, edited)
    return question


def question_delete(*, user: User, question_id: int) -> int:
    """Returns the question's upload id, for the page to go back to."""
    question = get_object_or_404(Question.objects.for_user(user), pk=question_id)
    question.delete()
    _recount(question.upload_id)
    return question.upload_id


@transaction.atomic
def _recount(upload_id: int) -> None:
    upload_counts_set(
        upload_id=upload_id,
        flashcard_count=Flashcard.objects.filter(upload_id=upload_id).count(),
        question_count=Question.objects.filter(upload_id=upload_id).count(),
    )
