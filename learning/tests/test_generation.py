"""Generation: the offline stages make grounded items in the document's language, once, for the current run."""

from __future__ import annotations

import pytest

from accounts.tests.factories import UserFactory
from learning.models import Flashcard, Question, Topic
from learning.tasks import generate_flashcards, generate_questions
from uploads import services
from uploads.models import Section, Upload
from uploads.tasks import process_document
from uploads.tests import documents
from uploads.tests.conftest import uploaded
from uploads.tests.helpers import run_pipeline

pytestmark = pytest.mark.django_db


def create(user, name: str, data: bytes, **kwargs) -> tuple[Upload, bool]:
    return services.upload_create(owner=user, file=uploaded(name, data), **kwargs)


def test_the_pipeline_makes_grounded_items_in_the_document_language():
    upload = run_pipeline(create(UserFactory(), "skript.pdf", documents.make_pdf(documents.DE_PAGES))[0])
    assert (upload.status, upload.language, upload.progress) == ("ready", "de", 100)
    assert upload.flashcard_count == Flashcard.objects.filter(upload=upload).count() > 0
    assert upload.question_count == Question.objects.filter(upload=upload).count() > 0
    assert [t.title for t in Topic.objects.filter(upload=upload)] == ["Grundbegriffe", "Kenngrößen", "Modelle"]
    for card in Flashcard.objects.filter(upload=upload):
        page_text = " ".join(
            Section.objects.filter(upload=upload, page=card.source_page).values_list("text", flat=True)
        )
        assert " ".join(card.source_snippet.split()) in " ".join(page_text.split())
        assert card.topic is not None and card.source_page in card.topic.pages
    basic = Flashcard.objects.filter(upload=upload, kind="basic")
    assert {c.front for c in basic} >= {"Was ist eine Warteschlange?", "Was versteht man unter „Auslastung“?"}
    for question in Question.objects.filter(upload=upload):
        assert len(set(question.options)) == 4
        assert question.stem.startswith(("Welcher Begriff", "Ergänze die Lücke"))


def test_a_generation_actor_run_twice_leaves_no_duplicates():
    upload = run_pipeline(create(UserFactory(), "a.pdf", documents.make_pdf())[0])
    cards, questions = upload.flashcard_count, upload.question_count
    Upload.objects.filter(pk=upload.pk).update(status=Upload.Status.GENERATING)  # a late redelivery
    generate_flashcards(upload.pk, upload.run)
    generate_flashcards(upload.pk, upload.run)
    generate_questions(upload.pk, upload.run)
    assert Flashcard.objects.filter(upload=upload).count() == cards
    assert Question.objects.filter(upload=upload).count() == questions
    fronts = list(Flashcard.objects.filter(upload=upload).values_list("front", flat=True))
    assert len(fronts) == len(set(fronts))


@pytest.fixture
def kept_children():
    """Children kept between jobs, as in a worker process (core.worker.runtime)."""
    from core.worker import guard
    from core.worker.runtime import HELPERS

    guard.helpers_keep(HELPERS)
    yield guard
    guard.helpers_keep(0)
    guard.helpers_stop()


def test_offline_generation_is_one_message_and_its_outline_child_may_fail(
    django_capture_on_commit_callbacks, monkeypatch, caplog, kept_children
):
    """Offline, the stages' CPU work is one message (the outline in a child process); if the
    child fails, the stage makes the outline itself and the student sees nothing of it."""
    import os

    import dramatiq
    from django_dramatiq.models import Task

    from learning.generation.offline import OfflineProvider
    from learning.models import Topic
    from learning.tasks import generate_offline

    upload, _created = create(UserFactory(), "skript.pdf", documents.make_pdf(documents.DE_PAGES))
    Task.tasks.all().delete()
    dramatiq.get_broker().flush_all()
    with django_capture_on_commit_callbacks(execute=True):
        process_document(upload.pk)
    upload.refresh_from_db()
    sent = [(task.actor_name, task.message.args) for task in Task.tasks.all()]
    assert sent == [("generate_offline", (upload.pk, upload.run, ["flashcards", "questions", "topics"]))]

    worker_pid, real = os.getpid(), OfflineProvider.extract_topics

    def broken_in_the_child(self, *args: object) -> list:
        if os.getpid() != worker_pid:
            raise RuntimeError("child broke")
        return real(self, *args)

    monkeypatch.setattr(OfflineProvider, "extract_topics", broken_in_the_child)
    kept_children.helpers_stop()  # the next child is forked with the broken outline
    generate_offline(*sent[0][1])
    upload.refresh_from_db()
    assert upload.status == "ready" and upload.flashcard_count > 0 and upload.question_count > 0
    assert [t.title for t in Topic.objects.filter(upload=upload)] == ["Grundbegriffe", "Kenngrößen", "Modelle"]
    assert "the outline's child failed (processing_failed: RuntimeError: child broke)" in caplog.text


@pytest.mark.parametrize("busy", [False, True])
def test_the_outline_is_made_in_a_child_only_when_the_process_is_otherwise_idle(monkeypatch, busy):
    from learning.services import generation

    upload, _created = create(UserFactory(), "skript.pdf", documents.make_pdf(documents.DE_PAGES))
    process_document(upload.pk)
    upload.refresh_from_db()
    started = []
    real = generation._outline_start
    monkeypatch.setattr(generation, "_outline_start", lambda *args: started.append(args) or real(*args))
    monkeypatch.setattr(generation, "messages_running", lambda: 3 if busy else 1)
    generation.offline_generate(upload_id=upload.pk, run=upload.run, stages=["flashcards", "questions", "topics"])
    upload.refresh_from_db()
    assert len(started) == (0 if busy else 1)
    assert upload.status == "ready"
    assert [t.title for t in Topic.objects.filter(upload=upload)] == ["Grundbegriffe", "Kenngrößen", "Modelle"]


def test_a_kept_child_killed_while_it_waits_costs_no_document_anything(caplog, monkeypatch, kept_children):
    """The children a worker keeps between documents may die while they wait (the OOM killer, an
    operator): the next document is extracted and outlined in a new one, and nothing fails."""
    import os
    import signal

    from learning.services import generation

    titles = ["Grundbegriffe", "Kenngrößen", "Modelle"]
    kept_children.helpers_keep(1)  # so the next document surely meets the killed one
    kept_children.helpers_start()
    killed = set()
    for round_ in range(2):
        if round_ == 1:  # the children of the first document die before the second arrives
            killed = {child.process.pid for child in kept_children._idle}
            assert killed, "children kept after the first document"
            for child in kept_children._idle:
                os.kill(child.process.pid, signal.SIGKILL)
                # As if taken before its death was noticed: it must then be found not to answer.
                monkeypatch.setattr(child.process, "is_alive", lambda: True)
        upload, _created = create(UserFactory(), f"skript{round_}.pdf", documents.make_pdf(documents.DE_PAGES))
        process_document(upload.pk)
        upload.refresh_from_db()
        assert upload.status == "generating", (round_, upload.error_code)
        generation.offline_generate(upload_id=upload.pk, run=upload.run, stages=["flashcards", "questions", "topics"])
        upload.refresh_from_db()
        assert upload.status == "ready", round_
        assert [t.title for t in Topic.objects.filter(upload=upload)] == titles, round_
    assert "child failed" not in caplog.text
    kept = {child.process.pid for child in kept_children._idle}
    assert kept and not kept & killed, "new children kept"


def test_a_stale_run_does_not_touch_a_reprocessed_upload(django_capture_on_commit_callbacks):
    upload = run_pipeline(create(UserFactory(), "a.pdf", documents.make_pdf())[0])
    old_run = upload.run
    upload = services.upload_reprocess(upload=upload)
    assert (upload.status, upload.run) == ("queued", old_run + 1)
    generate_flashcards(upload.pk, old_run)
    upload.refresh_from_db()
    assert upload.status == "queued" and not upload.flashcards_done
    upload = run_pipeline(upload)
    assert upload.status == "ready" and upload.flashcard_count > 0


def test_a_document_with_little_to_learn_says_so_and_a_rich_one_does_not():
    guide = (
        b"Course guide\n\n"
        b"Read Chapter 1 of the textbook at https://example.org/book.\n"
        b"Watch the video at https://example.org/video.\n"
        b"A histogram is a chart that shows how often each intensity value occurs in an image.\n"
        b"Select a topic for your term project.\n"
    )
    thin = run_pipeline(create(UserFactory(), "guide.txt", guide)[0])
    assert thin.status == "ready" and thin.flashcard_count + thin.question_count > 0
    assert thin.generator_note == "little_to_learn" and "Only a few sentences" in thin.generator_message
    rich = run_pipeline(create(UserFactory(), "skript.pdf", documents.make_pdf(documents.DE_PAGES))[0])
    assert rich.flashcard_count >= 5 and rich.question_count > 0
    assert (rich.generator_note, rich.generator_message) == ("", "")
