"""Generation stages and their results: the actors of the `ai` queue call these."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.errors import PermanentError
from core.worker.guard import run_guarded
from core.worker.runtime import messages_running
from learning.generation import get_provider
from learning.generation.drafts import AllChunksFailed, Provider, QuestionDraft, SourceSection
from learning.generation.text import key_terms_remembered
from learning.models import AIUsage, Flashcard, Origin, Question, Topic
from learning.quality import GateReport, flashcards_build, questions_build
from uploads.models import Section, Upload
from uploads.services import (
    sections_load,
    upload_fail,
    upload_finish,
    upload_generating,
    upload_stage_done,
    upload_usage_add,
)
from uploads.timings import timed, timing_add

logger = logging.getLogger(__name__)


def _source_sections(upload_id: int) -> list[SourceSection]:
    return [SourceSection(**payload) for payload in sections_load(upload_id)]


def _section_ids(upload_id: int) -> dict[int, Section]:
    return {s.order: s for s in Section.objects.filter(upload_id=upload_id).only("id", "order", "page", "heading_path")}


def _source_fields(section: Section | None, snippet: str) -> dict:
    if section is None:
        return {"source_snippet": snippet}
    return {
        "source_section": section,
        "source_page": section.page,
        "source_location": section.heading_path[:300],
        "source_snippet": snippet,
    }


def _run_stage(
    upload_id: int, run: int, stage: Callable[..., None], sections: list[SourceSection] | None = None, **options: object
) -> None:
    upload = upload_generating(upload_id, run)
    if upload is None:
        return  # deleted, failed, finished, or superseded by a reprocess
    provider = get_provider(upload.generator or "offline", scope=f"{upload_id}:{run}")
    try:
        with timed(upload_id, f"{stage.__name__.strip('_')}_total"):
            stage(upload, _source_sections(upload_id) if sections is None else sections, provider, **options)
    except PermanentError as exc:
        upload_fail(upload_id=upload_id, code=exc.code, detail=exc.detail)
        return
    except AllChunksFailed as exc:
        upload_fail(upload_id=upload_id, code=exc.code, detail=str(exc))
        return
    finally:
        usage_record(upload=upload, task=stage.__name__.strip("_"), provider=provider)
    with timed(upload_id, "finish_write"):
        generation_finish(upload_id=upload_id, run=run)


def usage_record(*, upload: Upload, task: str, provider: Provider) -> None:
    """What the stage cost, whether it succeeded or not: on the upload (for staff) and in the budget ledger."""
    usage = getattr(provider, "usage", None)
    if usage is None or not (usage.requests or usage.cached or usage.failed_chunks):
        return
    with transaction.atomic():
        AIUsage.objects.create(
            user_id=upload.owner_id,
            upload=Upload.objects.filter(pk=upload.pk).first(),  # None if deleted meanwhile: the cost stays
            task=task,
            model=getattr(provider, "model", ""),
            requests=usage.requests,
            tokens_in=usage.tokens_in,
            tokens_out=usage.tokens_out,
            cached_answers=usage.cached,
        )
        upload_usage_add(
            upload_id=upload.pk,
            run=upload.run,
            requests=usage.requests,
            tokens_in=usage.tokens_in,
            tokens_out=usage.tokens_out,
            cached=usage.cached,
            failed_chunks=len(usage.failed_chunks),
        )
    if usage.failed_chunks:
        logger.warning("Upload %s, %s: no material for %s", upload.pk, task, "; ".join(usage.failed_chunks))


def _replace_generated(
    upload: Upload, model: Any, kept: list, report: GateReport, *, stage: str, fields: Callable[[Any], dict]
) -> None:
    """One transaction: untouched generated items give way to the new ones; edited and own ones stay.

    A generated item that the new run makes again word for word keeps its row, so its review history
    and quiz answers survive reprocessing.
    """
    logger.info("%s for upload %s: %d kept, %s", stage, upload.pk, len(kept), report)
    sections = _section_ids(upload.pk)
    drafts = {_content_key(fields(draft)): draft for draft in kept}
    with timed(upload.pk, f"{stage}_write"), transaction.atomic():
        untouched = model.objects.filter(upload=upload, origin=Origin.GENERATED)
        names = list(fields(kept[0])) if kept else []
        survivors = [row["pk"] for row in untouched.values("pk", *names) if drafts.pop(_content_key(row, names), None)]
        untouched.exclude(pk__in=survivors).delete()
        rows = [
            model(upload=upload, **fields(d), **_source_fields(sections.get(d.section_order), d.snippet))
            for d in drafts.values()
        ]
        model.objects.bulk_create(rows)
        total = model.objects.filter(upload=upload).count()
        upload_stage_done(upload_id=upload.pk, run=upload.run, stage=stage, count=total, dropped=report.dropped_total)


def _content_key(values: dict, names: list[str] | None = None) -> str:
    return json.dumps({name: values[name] for name in names or values}, sort_keys=True, ensure_ascii=False)


def _flashcards(upload: Upload, sections: list[SourceSection], provider: Provider) -> None:
    by_student = (
        Flashcard.objects.filter(upload=upload).exclude(origin=Origin.GENERATED).values_list("kind", "front", "back")
    )
    limit = settings.MAX_FLASHCARDS_PER_DOCUMENT
    kept, report = flashcards_build(provider, sections, upload.language, limit, by_student)
    _replace_generated(
        upload,
        Flashcard,
        kept,
        report,
        stage="flashcards",
        fields=lambda d: {"kind": d.kind, "front": d.front, "back": d.back},
    )


def _questions(upload: Upload, sections: list[SourceSection], provider: Provider) -> None:
    by_student = Question.objects.filter(upload=upload).exclude(origin=Origin.GENERATED).values_list("stem", flat=True)
    limit = settings.MAX_QUESTIONS_PER_DOCUMENT
    kept, report = questions_build(provider, sections, upload.language, limit, by_student)

    def fields(d: QuestionDraft) -> dict:
        return {"stem": d.stem, "options": d.options, "correct_index": d.correct_index, "explanation": d.explanation}

    _replace_generated(upload, Question, kept, report, stage="questions", fields=fields)


def _topics(upload: Upload, sections: list[SourceSection], provider: Provider, outline: Future | None = None) -> None:
    drafts = _outline_drafts(outline, upload.pk) if outline is not None else None
    if drafts is None:
        drafts = provider.extract_topics(sections, upload.language)
    with timed(upload.pk, "topics_write"), transaction.atomic():
        Topic.objects.filter(upload=upload).delete()
        parents: list[Topic] = []
        for order, draft in enumerate(drafts):
            parents = parents[: draft.level - 1]
            topic = Topic.objects.create(
                upload=upload,
                parent=parents[-1] if parents else None,
                title=draft.title[:300],
                summary=draft.summary,
                order=order,
                level=draft.level,
                pages=draft.pages,
                key_terms=draft.key_terms,
                first_section=draft.first_section,
                last_section=draft.last_section,
            )
            parents.append(topic)
        upload_stage_done(upload_id=upload.pk, run=upload.run, stage="topics", count=len(drafts))


def flashcards_generate(*, upload_id: int, run: int) -> None:
    _run_stage(upload_id, run, _flashcards)


def questions_generate(*, upload_id: int, run: int) -> None:
    _run_stage(upload_id, run, _questions)


def topics_extract(*, upload_id: int, run: int) -> None:
    _run_stage(upload_id, run, _topics)


def offline_generate(*, upload_id: int, run: int, stages: list[str]) -> None:
    """The offline generator's stages in one message, as fast as two cores allow.

    Its stages are CPU work. As three messages they took turns on one process's GIL (Dramatiq
    hands a process several messages at once) and each process analysed the document's key terms
    again. Here this thread makes the cards and then the questions, which share the key terms, and
    on an otherwise idle process a child process makes the topic outline meanwhile. Each stage still
    writes, counts and finishes on its own, so a requeue after a lost worker redoes only what is
    missing.
    """
    upload = upload_generating(upload_id, run)
    if upload is None:
        return
    if not stages:  # every stage done, only the finish was lost (uploads' recovery sends this)
        generation_finish(upload_id=upload_id, run=run)
        return
    timing_add(
        upload_id, "generation_start", (timezone.now() - (upload.generating_at or timezone.now())).total_seconds()
    )
    sections = _source_sections(upload_id)
    outline = None
    if "topics" in stages and len(stages) > 1 and messages_running() <= 1:
        # Only when this message has the process to itself: under load every core is busy with
        # other documents already, and the child would only add its cost (`make bench`, throughput).
        outline = _outline_start(sections, upload.language)
    with key_terms_remembered():
        if "flashcards" in stages:
            _run_stage(upload_id, run, _flashcards, sections)
        if "questions" in stages:
            _run_stage(upload_id, run, _questions, sections)
        if "topics" in stages:
            _run_stage(upload_id, run, _topics, sections, outline=outline)


def _offline_outline(sections: list[SourceSection], language: str) -> list:
    # In the outline's child (and the worker); the web process imports this module but never generates.
    from learning.generation.offline import OfflineProvider

    return OfflineProvider().extract_topics(sections, language)


def _outline_start(sections: list[SourceSection], language: str) -> Future:
    """The topic outline in a child of this worker process (core.worker.guard, which keeps
    children between jobs), its result in the future."""
    future: Future = Future()

    def wait() -> None:
        try:
            timeout, memory = settings.EXTRACTION_TIMEOUT_SECONDS, settings.EXTRACTION_MEMORY_MB
            future.set_result(run_guarded(_offline_outline, sections, language, timeout=timeout, memory_mb=memory))
        except BaseException as exc:  # noqa: BLE001 - handed to the waiting stage
            future.set_exception(exc)

    threading.Thread(target=wait, name="offline-outline", daemon=True).start()
    return future


def _outline_drafts(outline: Future, upload_id: int) -> list | None:
    try:
        return outline.result()
    except Exception as exc:  # noqa: BLE001 - the stage makes the outline itself instead
        logger.warning("Upload %s: the outline's child failed (%s); making it in the worker", upload_id, exc)
        return None


@transaction.atomic
def generation_finish(*, upload_id: int, run: int) -> bool:
    """Ready when all three stages are done (uploads decides); then each item joins its topic."""
    finished = upload_finish(upload_id=upload_id, run=run)
    if finished:
        topics_assign(upload_id=upload_id)
    return finished


def topics_assign(*, upload_id: int) -> None:
    """Each item belongs to the deepest topic whose sections hold its source."""
    topics = sorted(Topic.objects.filter(upload_id=upload_id), key=lambda t: -t.level)
    orders = dict(Section.objects.filter(upload_id=upload_id).values_list("id", "order"))
    for model in (Flashcard, Question):
        changed: list[Any] = []
        for item_id, section_id in model.objects.filter(upload_id=upload_id).values_list("id", "source_section_id"):
            order = orders.get(section_id)
            topic = next((t for t in topics if order is not None and t.first_section <= order <= t.last_section), None)
            if topic is not None:
                changed.append(model(pk=item_id, topic_id=topic.pk))
        model.objects.bulk_update(changed, ["topic"], batch_size=500)  # one query, not one per topic
