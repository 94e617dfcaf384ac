"""Study pages: the dashboard, a review session, write mode, quizzes, topics, editing and exports."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.numbers import parse_int
from core.requests import AuthenticatedHttpRequest
from learning import scheduling, selectors, services
from learning.exports import export_response
from learning.forms import FlashcardForm, QuestionForm, QuizForm
from learning.grading import expected_answer, grade
from learning.models import Flashcard, Question, Quiz, Rating, Topic
from learning.stats import study_stats, topic_mastery
from uploads.models import Upload
from uploads.selectors import upload_get_for_user


def _scope(request: HttpRequest) -> dict[str, int]:
    """?upload= / ?topic= (and the same fields of a POST): which cards a session draws from."""
    source = request.POST if request.method == "POST" else request.GET
    found = {name: parse_int(source.get(name, "")) for name in ("upload", "topic")}
    return {name: number for name, number in found.items() if number is not None}


def safe_next(request: HttpRequest, default: str) -> str:
    """The form's `next`, only when it is a path on this site ("//evil.example/" and
    "javascript:…" are not): else `default`."""
    target = request.POST.get("next", "")
    allowed = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False)
    return target if target and allowed and target.startswith("/") and not target.startswith("//") else default


def _session_url(scope: dict[str, int], mode: str = "") -> str:
    query = {**scope, **({"mode": mode} if mode == "write" else {})}
    return reverse("learning:session") + (f"?{urlencode(query)}" if query else "")


@login_required
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    stats = study_stats(request.user)
    titles = {u.id: u.title for u in stats.uploads}
    top_topics = [(topic, titles.get(topic.upload_id or 0, "")) for topic in stats.topics if topic.level == 1]
    return render(request, "learning/dashboard.html", {"stats": stats, "top_topics": top_topics})


def _buttons(request: AuthenticatedHttpRequest, card: Flashcard) -> list[dict]:
    shown = scheduling.intervals(request.user, getattr(card, "review_state", None), card_id=card.pk, now=timezone.now())
    return [
        {"rating": rating, "name": Rating(rating).label, "interval": scheduling.interval_label(shown[rating])}
        for rating in Rating.values
    ]


@login_required
def session(request: AuthenticatedHttpRequest, checked: dict | None = None) -> HttpResponse:
    """One card at a time: the front, then (space) the answer and four rating buttons (1–4)."""
    scope = _scope(request)
    queue = selectors.study_queue(request.user, upload_id=scope.get("upload"), topic_id=scope.get("topic"), limit=1)
    card = queue.cards[0] if queue.cards else None
    if checked is not None and (card is None or card.pk != checked["card"].pk):
        card = checked["card"]  # the card just typed for, even if the queue moved on
        card.review_state = card.review_states.filter(user=request.user).first()
    context = {
        "queue": queue,
        "card": card,
        "scope": scope,
        "mode": "write" if request.GET.get("mode") == "write" or request.POST.get("mode") == "write" else "",
        "buttons": _buttons(request, card) if card else [],
        "checked": checked,
        "title": _scope_title(request, scope),
    }
    return render(request, "learning/session.html", context)


def _scope_title(request: AuthenticatedHttpRequest, scope: dict[str, int]) -> str:
    if "topic" in scope:
        return get_object_or_404(Topic.objects.for_user(request.user), pk=scope["topic"]).title
    if "upload" in scope:
        return upload_get_for_user(user=request.user, upload_id=scope["upload"]).title
    return _("All documents")


@login_required
@require_POST
def review(request: AuthenticatedHttpRequest, card_id: int) -> HttpResponse:
    rating = request.POST.get("rating", "")
    try:
        services.review_record(user=request.user, flashcard_id=card_id, rating=parse_int(rating) or 0)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(_session_url(_scope(request), request.POST.get("mode", "")))


@login_required
@require_POST
def check(request: AuthenticatedHttpRequest, card_id: int) -> HttpResponse:
    """Write mode: grade the typed answer, show it beside the expected one, then let the student rate."""
    card = get_object_or_404(Flashcard.objects.for_user(request.user), pk=card_id)
    typed = request.POST.get("answer", "")
    return session(request, checked={"card": card, "typed": typed, "grade": grade(expected_answer(card), typed)})


@login_required
def topic_detail(request: AuthenticatedHttpRequest, topic_id: int) -> HttpResponse:
    topic = get_object_or_404(Topic.objects.for_user(request.user).select_related("upload"), pk=topic_id)
    context = {
        "topic": topic,
        "upload": topic.upload,
        "subtopics": topic.children.order_by("order"),
        "flashcards": selectors.topic_flashcards(topic).order_by("id"),
        "questions": selectors.topic_questions(topic).order_by("id"),
        "mastery": topic_mastery(request.user, topic),
    }
    return render(request, "learning/topic.html", context)


def _upload_from_query(request: AuthenticatedHttpRequest) -> Upload:
    """The document a new item goes to: ?upload= on the form's URL."""
    upload_id = request.GET.get("upload", "")
    return upload_get_for_user(user=request.user, upload_id=parse_int(upload_id) or 0)


def _item_form_page(request: AuthenticatedHttpRequest, form, upload: Upload, save, heading: str) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        try:
            save(form)
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("uploads:detail", upload_id=upload.pk)
    status = 400 if form.errors else 200
    context = {"form": form, "upload": upload, "item": form.instance, "heading": heading}
    return render(request, "learning/item_form.html", context, status=status)


@login_required
def card_form(request: AuthenticatedHttpRequest, card_id: int | None = None) -> HttpResponse:
    """New card (?upload=) or edit: the edit keeps the card's review state."""
    if card_id is None:
        upload = _upload_from_query(request)
        card = Flashcard(upload=upload)
    else:
        card = get_object_or_404(Flashcard.objects.for_user(request.user).select_related("upload"), pk=card_id)
        upload = card.upload
    form = FlashcardForm(request.POST or None, instance=card, upload_id=upload.pk)

    def save(form: FlashcardForm) -> None:
        if card_id is None:
            services.flashcard_create(user=request.user, upload_id=upload.pk, **form.cleaned_data)
        else:
            services.flashcard_update(user=request.user, flashcard_id=card_id, **form.cleaned_data)

    heading = _("New card") if card_id is None else _("Edit card")
    return _item_form_page(request, form, upload, save, heading)


@login_required
def question_form(request: AuthenticatedHttpRequest, question_id: int | None = None) -> HttpResponse:
    if question_id is None:
        upload = _upload_from_query(request)
        question = Question(upload=upload, options=[])
    else:
        question = get_object_or_404(Question.objects.for_user(request.user).select_related("upload"), pk=question_id)
        upload = question.upload
    form = QuestionForm(request.POST or None, instance=question, upload_id=upload.pk)

    def save(form: QuestionForm) -> None:
        if question_id is None:
            services.question_create(user=request.user, upload_id=upload.pk, **form.service_fields())
        else:
            services.question_update(user=request.user, question_id=question_id, **form.service_fields())

    heading = _("New question") if question_id is None else _("Edit question")
    return _item_form_page(request, form, upload, save, heading)


@login_required
@require_POST
def card_delete(request: AuthenticatedHttpRequest, card_id: int) -> HttpResponse:
    upload_id = services.flashcard_delete(user=request.user, flashcard_id=card_id)
    messages.success(request, _("The card was deleted."))
    return redirect("uploads:detail", upload_id=upload_id)


@login_required
@require_POST
def card_suspend(request: AuthenticatedHttpRequest, card_id: int) -> HttpResponse:
    suspended = request.POST.get("suspended") == "1"
    card = services.flashcard_suspend(user=request.user, flashcard_id=card_id, suspended=suspended)
    messages.success(request, _("The card is left out of reviews.") if suspended else _("The card is back in reviews."))
    return redirect(safe_next(request, reverse("uploads:detail", args=[card.upload_id])))


@login_required
@require_POST
def question_delete(request: AuthenticatedHttpRequest, question_id: int) -> HttpResponse:
    upload_id = services.question_delete(user=request.user, question_id=question_id)
    messages.success(request, _("The question was deleted."))
    return redirect("uploads:detail", upload_id=upload_id)


@login_required
@require_POST
def quiz_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    scope = _scope(request)
    form = QuizForm(request.POST)
    size = form.cleaned_data["size"] if form.is_valid() else None
    try:
        quiz = services.quiz_create(
            user=request.user, upload_id=scope.get("upload"), topic_id=scope.get("topic"), size=size
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(safe_next(request, reverse("learning:dashboard")))
    return redirect("learning:quiz", quiz_id=quiz.pk)


@login_required
def quiz_detail(request: AuthenticatedHttpRequest, quiz_id: int) -> HttpResponse:
    """The next open question; after an answer (?answered=N) its feedback; at the end, the result."""
    quiz = get_object_or_404(Quiz.objects.filter(user=request.user).select_related("upload"), pk=quiz_id)
    items = list(quiz.items.select_related("question"))
    answered = request.GET.get("answered", "")
    feedback = next((i for i in items if str(i.position) == answered and i.choice is not None), None)
    current = next((i for i in items if i.choice is None), None)
    context = {
        "quiz": quiz,
        "feedback": feedback,
        "current": current if feedback is None else None,
        "next_item": current,
        "result": selectors.quiz_result(quiz) if current is None else None,
        "progress": sum(i.choice is not None for i in items),
    }
    return render(request, "learning/quiz.html", context)


@login_required
@require_POST
def quiz_answer(request: AuthenticatedHttpRequest, quiz_id: int) -> HttpResponse:
    choice, question = request.POST.get("choice", ""), request.POST.get("question", "")
    try:
        item = services.quiz_answer(
            user=request.user,
            quiz_id=quiz_id,
            question_id=parse_int(question) or 0,
            position=parse_int(request.POST.get("position", ""), maximum=10_000),
            choice=-1 if (number := parse_int(choice, maximum=3)) is None else number,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("learning:quiz", quiz_id=quiz_id)
    return redirect(reverse("learning:quiz", args=[quiz_id]) + f"?answered={item.position}")


@login_required
def upload_export(request: AuthenticatedHttpRequest, upload_id: int, fmt: str) -> HttpResponse:
    upload = upload_get_for_user(user=request.user, upload_id=upload_id)
    return export_response(upload, fmt)
