"""German and English linguistics for the generators and the quality gates, all offline.

Every model ships inside its PyPI package; nothing is downloaded at run time:
- syntok: sentence boundaries that know abbreviations (z. B., bzgl., u. a., e.g., i.e.), with
  character offsets, so a sentence stays a verbatim substring of its page;
- HanTa: part-of-speech tags and lemmas (STTS for German, CLAWS-like for English). About
  5,000 tokens/s, so only candidate sentences are tagged, never whole documents;
- wordfreq: Zipf frequency, which tells a domain term (Warteschlange 3.0, entropy 3.3) from a
  generic word (Reihe 5.0, type 5.3);
- german-nouns (Wiktionary): gender and number of German nouns, for article agreement of
  distractors. Compounds take their head's (Bedien|station: feminine).

`preload()` loads all of them; the worker calls it once per process before it forks its
children, so no document pays for a load.
"""

from __future__ import annotations

import csv
import functools
import re
import threading
from dataclasses import dataclass
from pathlib import Path

_lock = threading.Lock()
_taggers: dict[str, object] = {}
# HanTa does not say its tagger (which keeps caches) is safe for concurrent calls, and a worker
# process runs several generation threads: one call at a time per language. Tagging is pure
# Python, so under the GIL the lock costs no parallelism.
_tag_locks = {"de": threading.Lock(), "en": threading.Lock()}
_WORD_TOKEN = re.compile(r"\w+(?:[-'’.]\w+)*|[^\w\s]", re.UNICODE)
GENDERS = ("m", "f", "n")


@dataclass(frozen=True)
class Token:
    text: str
    lemma: str
    tag: str
    start: int
    end: int


def _tagger(language: str):
    lang = "de" if language == "de" else "en"
    tagger = _taggers.get(lang)
    if tagger is None:
        with _lock:
            tagger = _taggers.get(lang)
            if tagger is None:
                from HanTa import HanoverTagger

                tagger = HanoverTagger.HanoverTagger("morphmodel_ger.pgz" if lang == "de" else "morphmodel_en.pgz")
                # HanTa caches only the words of its training corpus; every other form (most German
                # compounds) is analysed morpheme by morpheme on each occurrence, about 1 ms each.
                # Both analyses are pure functions of their arguments: remember them per process.
                tagger.analyze_forward = functools.lru_cache(maxsize=50_000)(tagger.analyze_forward)
                tagger._analyze = functools.lru_cache(maxsize=50_000)(tagger._analyze)
                _taggers[lang] = tagger
    return tagger


def preload() -> None:
    """Loads every model of this module in this process (the worker does this at boot)."""
    for language in ("de", "en"):
        tag("Ein kurzer Satz zum Aufwärmen." if language == "de" else "A short sentence to warm up.", language)
        zipf("Warteschlange" if language == "de" else "queue", language)
    noun_features("Warteschlange")


def caches_clear() -> None:
    """Forget every remembered analysis, so that a measurement sees a document for the first time."""
    tag.cache_clear()
    for tagger in _taggers.values():
        tagger.analyze_forward.cache_clear()
        tagger._analyze.cache_clear()


# --- sentences -------------------------------------------------------------------------------


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of `text`; a line break always ends one (bullets, titles)."""
    from syntok import segmenter

    spans: list[tuple[int, int]] = []
    offset = 0
    for line in text.split("\n"):
        if line.strip():
            for paragraph in segmenter.analyze(line):
                for sentence in paragraph:
                    if sentence:
                        start = sentence[0].offset
                        end = sentence[-1].offset + len(sentence[-1].value)
                        spans.append((offset + start, offset + end))
        offset += len(line) + 1
    return spans


def split_sentences(text: str) -> list[str]:
    return [text[start:end] for start, end in sentence_spans(text)]


# --- tags ------------------------------------------------------------------------------------


def tokenize(text: str) -> list[tuple[str, int, int]]:
    return [(m.group(), m.start(), m.end()) for m in _WORD_TOKEN.finditer(text)]


@functools.lru_cache(maxsize=8192)
def tag(sentence: str, language: str) -> tuple[Token, ...]:
    tokens = tokenize(sentence)
    if not tokens:
        return ()
    lang = "de" if language == "de" else "en"
    tagger = _tagger(lang)
    with _tag_locks[lang]:
        tagged = tagger.tag_sent([t for t, _s, _e in tokens], taglevel=1)
    return tuple(
        Token(text, lemma, pos, start, end)
        for (text, start, end), (_word, lemma, pos) in zip(tokens, tagged, strict=True)
    )


def is_noun(token: Token, language: str) -> bool:
    if language == "de":
        return token.tag == "NN" and token.text[:1].isupper()  # a German noun is capitalised
    return token.tag in ("NN0", "NN1", "NN2")


def is_name(token: Token, language: str) -> bool:
    return token.tag == "NE" if language == "de" else token.tag == "NP0"


def is_adjective(token: Token, language: str) -> bool:
    if language == "de":
        return token.tag == "ADJ(A)"
    return token.tag in ("AJ0", "AJC", "AJS") or token.tag == "VVG-AJ0"


_EN_FINITE = {"VBZ", "VBB", "VBD", "VHZ", "VHB", "VHD", "VDZ", "VDB", "VDD", "VVZ", "VVD", "VM0", "VVB"}


def is_finite_verb(token: Token, language: str) -> bool:
    if language == "de":
        return token.tag.endswith("(FIN)") or token.tag.endswith("FIN")
    return token.tag in _EN_FINITE


def plural(token: Token, language: str) -> bool | None:
    """English from the tag; German from the noun list (None when unknown)."""
    if language != "de":
        return {"NN1": False, "NN2": True}.get(token.tag)
    features = noun_features(token.text)
    return None if features is None else features[1]


# --- frequency -------------------------------------------------------------------------------


@functools.lru_cache(maxsize=65536)
def zipf(word: str, language: str) -> float:
    """How common a word is in general language: 7 is "the", 3 is rare, 0 unknown."""
    import wordfreq

    return wordfreq.zipf_frequency(word, "de" if language == "de" else "en")


# --- German nouns: gender and number ---------------------------------------------------------

_nouns: dict[str, tuple[str | None, bool, bool]] | None = None


def _load_nouns() -> dict[str, tuple[str | None, bool, bool]]:
    """{form: (gender, plural, nominative)}: gender m/f/n of the singular forms; plural forms have
    no gender in German agreement (die Sprachen, die Grammatiken), so only the number counts."""
    import importlib.util

    table: dict[str, tuple[str | None, bool, bool]] = {}
    spec = importlib.util.find_spec("german_nouns")  # a namespace package: no __file__
    path = Path(next(iter(spec.submodule_search_locations))) / "nouns.csv"
    with path.open(encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        genus = header.index("genus")
        singular = [i for i, name in enumerate(header) if "singular" in name]
        plural_columns = [i for i, name in enumerate(header) if "plural" in name]
        nominative = {i for i, name in enumerate(header) if name.startswith("nominativ")}
        plural_of: dict[str, str] = {}  # nominative plural form -> its lemma
        singular_of: dict[str, str] = {}  # nominative singular form -> its lemma
        genders: dict[str, set[str]] = {}  # "Reiter" (m, a rider) and "Reiter" (f?): no gender to agree with
        for row in reader:
            gender = row[genus] if row[genus] in GENDERS else None
            for column in plural_columns:
                if row[column] and (row[column] not in table or column in nominative):
                    table[row[column]] = (None, True, column in nominative)
                    if column in nominative:
                        plural_of.setdefault(row[column], row[0])
            if gender:
                for column in singular:
                    form = row[column]
                    if form and (form not in table or table[form][1] or column in nominative):
                        table[form] = (gender, False, column in nominative)
                        if column in nominative:
                            singular_of[form] = row[0]
                            genders.setdefault(form, set()).add(gender)
    # "Namen": a rare singular variant, and the plural of "Name": its number shows only in the
    # sentence, so it agrees with no option list ("Ein Objektnamen" is no German).
    for form, lemma in singular_of.items():
        if plural_of.get(form, lemma) != lemma and table[form][2]:
            table[form] = (table[form][0], False, False)
        elif len(genders.get(form, ())) > 1 and not table[form][1]:
            table[form] = (None, False, table[form][2])
    return table


def _noun_table() -> dict[str, tuple[str | None, bool, bool]]:
    global _nouns
    if _nouns is None:
        with _lock:
            if _nouns is None:
                _nouns = _load_nouns()
    return _nouns


@functools.lru_cache(maxsize=16384)
def compound_head(word: str) -> str:
    """The head of a German compound: Exponential|verteilung → verteilung (lower case)."""
    table = _noun_table()
    tail_word = word.rsplit("-", 1)[-1]
    for start in range(1, max(1, len(tail_word) - 3)):
        tail = tail_word[start:]
        if len(tail) < 4:
            break
        if tail[0].upper() + tail[1:] in table:
            return tail.casefold()
    return tail_word.casefold()


@functools.lru_cache(maxsize=16384)
def noun_features(word: str) -> tuple[str | None, bool, bool] | None:
    """(gender, plural, nominative) of a German noun form; a compound takes its head's (longest
    known tail)."""
    table = _noun_table()
    word = word.strip()
    if word in table:
        return table[word]
    tail_word = word.rsplit("-", 1)[-1]
    for start in range(1, max(1, len(tail_word) - 3)):
        tail = tail_word[start:]
        if len(tail) < 4:
            break
        found = table.get(tail[0].upper() + tail[1:])
        if found:
            return found
    return None
