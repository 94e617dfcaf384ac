"""Text helpers for generators and quality gates: sentences, normalisation, key terms."""

from __future__ import annotations

import hashlib
import re
import threading
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from core.language import ENGLISH, GERMAN

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÄÖÜ0-9„\"(])")
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
YAKE_SAMPLE_CHARS = 150_000


_CODE_OR_NOISE = re.compile(r">>>|\s=\s|[{}\[\]<>|\\]|https?://|\.\s?\.\s?\.|…|_{2,}|\S+@\S+")


def sentences(text: str) -> list[str]:
    """Sentences as exact substrings of `text` (so a snippet can be found again); lines end them too."""
    return [part.strip() for line in text.split("\n") for part in _SENTENCE_END.split(line) if part.strip()]


def is_informative(sentence: str) -> bool:
    """A real sentence of prose: a capital, a stop (or seven words), mostly letters, no code."""
    if len(sentence) < 30 or not sentence[0].isupper():
        return False
    if sentence[-1] not in ".!?" and len(sentence.split()) < 7:  # a slide's bullet may lack the stop
        return False
    letters = sum(ch.isalpha() or ch == " " for ch in sentence)
    return letters >= 0.85 * len(sentence) and not _CODE_OR_NOISE.search(sentence)


def normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return _NON_WORD.sub(" ", text).strip()


def squash(text: str) -> str:
    return " ".join(text.split())


def stopwords(language: str) -> frozenset[str]:
    return GERMAN if language == "de" else ENGLISH


_memory = threading.local()


@contextmanager
def key_terms_remembered() -> Iterator[None]:
    """Within the block, key_terms analyses each text once: the flashcard and question stages (and
    their coverage top-ups) of one document ask for the same terms. Per thread, and nothing
    outlives the block, so every document's run pays for its own analysis."""
    outer = getattr(_memory, "terms", None)
    _memory.terms = {} if outer is None else outer
    try:
        yield
    finally:
        _memory.terms = outer


def remembered(key: object, compute):
    """compute() once per key within a key_terms_remembered block (every call outside one)."""
    memory = getattr(_memory, "terms", None)
    if memory is None:
        return compute()
    if key not in memory:
        memory[key] = compute()
    return memory[key]


def key_terms(texts: Iterable[str], language: str, top: int = 40) -> list[str]:
    """Key terms by YAKE (bundled German and English stopwords, nothing downloaded).

    YAKE is most of the offline generator's time; see key_terms_remembered.
    """
    sample = squash(" ".join(texts))[:YAKE_SAMPLE_CHARS]
    if not sample:
        return []
    remembered = getattr(_memory, "terms", None)
    if remembered is None:
        return _yake_terms(sample, language, top)
    key = (language, top, hashlib.sha256(sample.encode()).digest())
    if key not in remembered:
        remembered[key] = _yake_terms(sample, language, top)
    return list(remembered[key])


def _yake_terms(sample: str, language: str, top: int) -> list[str]:
    import yake

    extractor = yake.KeywordExtractor(lan="de" if language == "de" else "en", n=2, top=top * 3, dedupLim=0.7)
    words = stopwords(language)
    terms: list[str] = []
    seen: set[str] = set()
    for term, _score in extractor.extract_keywords(sample):
        key = normalize(term)
        if (
            len(key) < 3
            or key in seen
            or any(ch.isdigit() for ch in key)
            or all(word in words for word in key.split())
            or key.split()[0] in words
            or key.split()[-1] in words
            or not _plausible_term(term, language, sample)
        ):
            continue
        seen.add(key)
        terms.append(term)
        if len(terms) >= top:
            break
    return terms


def _plausible_term(term: str, language: str, sample: str) -> bool:
    """Single words are noisy: German ones must be nouns (capitalised), all must recur."""
    if " " in term:
        return True
    if language == "de" and not term[:1].isupper():
        return False
    return len(term) >= 4 and len(re.findall(rf"(?<!\w){re.escape(term)}(?!\w)", sample)) >= 2
