"""The OpenAI provider: structured output per chunk, cached, counted, and never billed twice for one answer.

Every chunk of the document is one request per task (flashcards, questions, outline), run in
parallel up to OPENAI_CONCURRENCY. Answers are validated against pydantic models; an invalid or
refused answer is asked for once more, then the chunk is reported as failed. 429, 5xx and
timeouts are retried by the SDK (with backoff and Retry-After), then by the actor; a Redis
counter per chunk and run stops all retries together at OPENAI_MAX_REQUESTS_PER_CHUNK. A wrong
key or any other 4xx fails the upload at once.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

import openai
import pydantic
from django.conf import settings
from rapidfuzz import fuzz, process

from core.errors import PermanentError
from learning.checks import plain
from learning.generation import cache, prompts
from learning.generation.chunking import Chunk, chunk_sections
from learning.generation.drafts import (
    AllChunksFailed,
    FlashcardDraft,
    QuestionDraft,
    SourceSection,
    TopicDraft,
)
from learning.generation.schemas import (
    CardBatch,
    CardItem,
    ChunkOutline,
    DocumentOutline,
    QuestionBatch,
    QuestionItem,
    TopicItem,
)

logger = logging.getLogger(__name__)
Answer = TypeVar("Answer", bound=pydantic.BaseModel)
T = TypeVar("T")
TOKENS_PER_CARD, TOKENS_PER_QUESTION = 120, 250
MAX_ITEMS_PER_CHUNK = 20
INVALID_ANSWER_ATTEMPTS = 2  # the first answer and one more


class TransientAIError(Exception):
    """The API did not answer (429, 5xx, timeout, connection) after the SDK's retries: the actor retries."""


class RequestCapReached(openai.OpenAIError):
    """Raised before sending: the SDK passes OpenAIErrors through without retrying them."""


class ChunkFailed(Exception):
    """This chunk yields nothing (invalid answers, request cap): reported, the other chunks go on."""


@dataclass
class Usage:
    requests: int = 0  # HTTP requests sent, retries included
    tokens_in: int = 0
    tokens_out: int = 0
    cached: int = 0
    failed_chunks: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def tokens(self) -> int:
        return self.tokens_in + self.tokens_out


_current = threading.local()  # the cache key of the chunk a thread is asking about


def _error_code(exc: openai.APIStatusError) -> str:
    body = exc.body if isinstance(exc.body, dict) else {}
    error = body.get("error", body)
    return str(error.get("code") or "") if isinstance(error, dict) else ""


class OpenAIProvider:
    name = "openai"

    def __init__(self, *, scope: str = "adhoc") -> None:
        self.scope = scope  # "upload:run": the request cap counts per processing run
        self.model = settings.OPENAI_MODEL
        self.usage = Usage()
        self.client = openai.OpenAI(
            api_key=settings.OPENAI_API_KEY,
            base_url=settings.OPENAI_BASE_URL,
            timeout=settings.OPENAI_TIMEOUT_SECONDS,
            max_retries=settings.OPENAI_MAX_RETRIES,
            http_client=openai.DefaultHttpx2Client(
                timeout=settings.OPENAI_TIMEOUT_SECONDS, event_hooks={"request": [self._on_request]}
            ),
        )

    # --- the three tasks ---------------------------------------------------------------

    def generate_flashcards(self, sections: list[SourceSection], language: str, limit: int) -> list[FlashcardDraft]:
        def draft(item: CardItem, order: int) -> FlashcardDraft:
            return FlashcardDraft(item.kind, item.front, item.back, order, item.quote)

        task = ("flashcards", CardBatch, prompts.FLASHCARDS, TOKENS_PER_CARD)
        return self._items_per_chunk(sections, language, limit, task, draft)

    def generate_questions(self, sections: list[SourceSection], language: str, limit: int) -> list[QuestionDraft]:
        def draft(item: QuestionItem, order: int) -> QuestionDraft:
            return QuestionDraft(item.question, item.options, item.correct_option, item.explanation, order, item.quote)

        task = ("questions", QuestionBatch, prompts.QUESTIONS, TOKENS_PER_QUESTION)
        return self._items_per_chunk(sections, language, limit, task, draft)

    def _items_per_chunk(
        self,
        sections: list[SourceSection],
        language: str,
        limit: int,
        task: tuple[str, type[pydantic.BaseModel], str, int],
        draft: Callable[[Any, int], T],
    ) -> list[T]:
        """Items from every chunk, as many as its share of the text earns, each placed on its section."""
        name, schema, prompt, tokens_per_item = task
        chunks = self._chunks(sections)
        total = sum(chunk.tokens for chunk in chunks)

        def one(chunk: Chunk) -> list[T]:
            count = _item_count(chunk, total, limit, tokens_per_item)
            batch = self._ask(name, schema, prompt.format(count=count), chunk.text, language)
            return [draft(item, self._section_for(chunk, item.marker, item.quote, sections)) for item in batch.items]

        return [item for items in self._each_chunk(chunks, one) for item in items]

    def extract_topics(self, sections: list[SourceSection], language: str) -> list[TopicDraft]:
        """Map: an outline per chunk. Reduce: one outline of the whole document from the chunk outlines."""
        chunks = self._chunks(sections)
        outlines = self._each_chunk(
            chunks, lambda chunk: (chunk, self._ask("outline", ChunkOutline, prompts.OUTLINE, chunk.text, language))
        )
        topics = [topic for _chunk, outline in outlines for topic in outline.topics]
        if len(outlines) > 1:
            summary = "\n\n".join(_outline_text(chunk, outline) for chunk, outline in outlines)
            try:
                topics = self._ask("outline_reduce", DocumentOutline, prompts.REDUCE, summary, language).topics
            except ChunkFailed:
                self.usage.failed_chunks.append("outline of the whole document")
        markers = {number: orders for chunk in chunks for number, orders in chunk.markers.items()}
        paged = bool(chunks) and chunks[0].paged
        return [draft for draft in (_topic(topic, markers, paged) for topic in topics) if draft is not None]

    # --- requests ------------------------------------------------------------------------

    def _chunks(self, sections: list[SourceSection]) -> list[Chunk]:
        return chunk_sections(sections, settings.OPENAI_CHUNK_TOKENS)

    def _each_chunk(self, chunks: list[Chunk], work: Callable[[Chunk], T]) -> list[T]:
        """`work` for every chunk in parallel; results in reading order, failed chunks reported."""
        if not chunks:
            return []
        stop = threading.Event()  # after a permanent error (a bad key) the queued chunks are not sent

        def guarded(chunk: Chunk) -> T:
            if stop.is_set():
                raise PermanentError("ai_cancelled", "a permanent error in another chunk")
            try:
                return work(chunk)
            except PermanentError:
                stop.set()
                raise

        with ThreadPoolExecutor(max_workers=max(1, settings.OPENAI_CONCURRENCY)) as pool:
            futures = [pool.submit(guarded, chunk) for chunk in chunks]
        results: list[T] = []
        errors: list[Exception] = []
        for chunk, future in zip(chunks, futures, strict=True):
            try:
                results.append(future.result())
            except ChunkFailed as exc:
                pages = f"{chunk.marker_label} {min(chunk.markers)}–{max(chunk.markers)}"
                logger.warning("Chunk %s (%s) failed: %s", chunk.index, pages, exc)
                self.usage.failed_chunks.append(pages)
            except (PermanentError, TransientAIError) as exc:
                errors.append(exc)
        # The answers that did arrive are cached: a retry of the actor does not pay for them again.
        permanent = [exc for exc in errors if isinstance(exc, PermanentError) and exc.code != "ai_cancelled"]
        if permanent or errors:
            raise (permanent or errors)[0]
        if not results:
            raise AllChunksFailed(f"all {len(chunks)} chunks failed")
        return results

    def _ask(self, task: str, schema: type[Answer], task_prompt: str, text: str, language: str) -> Answer:
        messages = prompts.messages(task_prompt, text, language)
        key = cache.cache_key(task, self.model, prompts.PROMPT_VERSION, json.dumps(messages))
        hit = cache.cached_answer(key)
        if hit is not None:
            with self.usage.lock:
                self.usage.cached += 1
            return schema.model_validate(hit)
        _current.key = key
        try:
            for _attempt in range(INVALID_ANSWER_ATTEMPTS):
                answer = self._request(schema, messages)
                if answer is not None:
                    cache.store_answer(key, answer.model_dump())
                    return answer
        finally:
            _current.key = None
        raise ChunkFailed(f"{task}: no valid answer in {INVALID_ANSWER_ATTEMPTS} attempts")

    def _request(self, schema: type[Answer], messages: list[dict[str, str]]) -> Answer | None:
        """One answer, validated; None when it is invalid or refused."""
        try:
            raw = self.client.chat.completions.with_raw_response.parse(
                model=self.model, messages=messages, response_format=schema, temperature=0.2
            )
        except RequestCapReached as exc:
            raise ChunkFailed(str(exc)) from exc
        except (openai.AuthenticationError, openai.PermissionDeniedError) as exc:
            raise PermanentError("ai_auth", str(exc)) from exc
        except openai.RateLimitError as exc:
            if _error_code(exc) == "insufficient_quota":
                raise PermanentError("ai_quota", str(exc)) from exc
            raise TransientAIError(str(exc)) from exc
        except (openai.APIConnectionError, openai.InternalServerError) as exc:  # timeouts included
            raise TransientAIError(str(exc)) from exc
        except openai.APIStatusError as exc:
            if exc.status_code >= 500:
                raise TransientAIError(str(exc)) from exc
            raise PermanentError("ai_rejected", f"{exc.status_code} {exc}") from exc
        self._count_tokens(raw.http_response.text)
        try:
            message = raw.parse().choices[0].message
        except (pydantic.ValidationError, ValueError, IndexError, openai.OpenAIError) as exc:
            logger.warning("Invalid answer from %s: %s", self.model, str(exc)[:300])
            return None
        if message.refusal or message.parsed is None:
            logger.warning("The model refused: %s", (message.refusal or "")[:300])
            return None
        return message.parsed

    def _on_request(self, request: object) -> None:
        key = getattr(_current, "key", None)
        if key and cache.count_request(self.scope, key) > settings.OPENAI_MAX_REQUESTS_PER_CHUNK:
            raise RequestCapReached(f"request cap of {settings.OPENAI_MAX_REQUESTS_PER_CHUNK} reached")
        with self.usage.lock:
            self.usage.requests += 1

    def _count_tokens(self, body: str) -> None:
        try:
            usage = json.loads(body).get("usage") or {}
        except (ValueError, AttributeError):
            return
        with self.usage.lock:
            self.usage.tokens_in += int(usage.get("prompt_tokens") or 0)
            self.usage.tokens_out += int(usage.get("completion_tokens") or 0)

    @staticmethod
    def _section_for(chunk: Chunk, marker: int, quote: str, sections: list[SourceSection]) -> int:
        """The section under the cited marker that holds the quote best (the whole chunk if the marker is wrong)."""
        orders = chunk.markers.get(marker) or chunk.section_orders
        texts = {s.order: plain(s.text) for s in sections if s.order in set(orders)}
        best = process.extractOne(plain(quote), texts, scorer=fuzz.partial_ratio)
        return best[2] if best else orders[0]


def _item_count(chunk: Chunk, total_tokens: int, limit: int, tokens_per_item: int) -> int:
    """Items scale with the text, and the chunks share the document's cap by their size."""
    by_content = chunk.tokens / tokens_per_item
    by_cap = 1.25 * limit * chunk.tokens / max(total_tokens, 1)
    return max(1, min(MAX_ITEMS_PER_CHUNK, round(min(by_content, by_cap))))


def _outline_text(chunk: Chunk, outline: ChunkOutline) -> str:
    lines = [f"Part {chunk.index + 1} ({chunk.marker_label} {min(chunk.markers)}–{max(chunk.markers)})"]
    lines.append(f"Summary: {outline.summary}")
    lines += [
        f"- level {t.level}: {t.title} [{t.first_marker}–{t.last_marker}] {t.summary} ({', '.join(t.key_terms)})"
        for t in outline.topics
    ]
    return "\n".join(lines)


def _topic(topic: TopicItem, markers: dict[int, list[int]], paged: bool) -> TopicDraft | None:
    first, last = sorted((topic.first_marker, topic.last_marker))
    inside = [number for number in markers if first <= number <= last]
    if not inside or not topic.title.strip():
        return None
    orders = [order for number in inside for order in markers[number]]
    return TopicDraft(
        title=topic.title.strip(),
        summary=topic.summary.strip(),
        level=1 if topic.level <= 1 else 2,
        first_section=min(orders),
        last_section=max(orders),
        pages=sorted(inside) if paged else [],
        key_terms=[term.strip() for term in topic.key_terms if term.strip()][:5],
    )
