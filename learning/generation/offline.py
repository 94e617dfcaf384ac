"""The offline generator: study material without any API, in the document's language.

Flashcards come from definitions ("X is ...", "X ist ...", "Unter X versteht man ...",
"term: definition" lines) and from cloze sentences that blank a key term (YAKE). Questions
ask for the term of a definition or the blank of a sentence, with other key terms of the same
document as distractors. Topics follow the headings, or key-term clusters when there are none.
Every item cites the section it comes from with a sentence that occurs there verbatim.
"""

from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass

from learning.generation import FlashcardDraft, QuestionDraft, SourceSection, TopicDraft
from learning.generation.text import (
    contains_term,
    is_informative,
    key_terms,
    normalize,
    sentences,
    squash,
    stopwords,
)

MAX_ANSWER_CHARS = 300
MIN_CLOZE_CHARS, MAX_CLOZE_CHARS = 50, 260
MAX_TERM_WORDS = 5
BAD_TERM_STARTS = {
    "en": {
        "it",
        "this",
        "that",
        "there",
        "which",
        "he",
        "she",
        "we",
        "they",
        "what",
        "here",
        "these",
        "those",
        "one",
        "each",
        "all",
        "such",
        "its",
        "our",
        "your",
        "if",
        "so",
        "then",
        "a",
        "an",
        "the",
        "example",
        "and",
        "or",
        "but",
        "in",
        "on",
        "for",
        "to",
        "of",
        "as",
        "at",
        "by",
        "with",
        "note",
        "figure",
        "where",
        "when",
        "since",
        "because",
        "thus",
        "hence",
        "therefore",
        "prove",
        "let",
        "assume",
        "suppose",
        "now",
        "again",
        "also",
        "still",
        "however",
        "first",
        "finally",
    },
    "de": {
        "es",
        "dies",
        "das",
        "er",
        "sie",
        "wir",
        "was",
        "hier",
        "diese",
        "dieser",
        "dieses",
        "man",
        "ein",
        "eine",
        "der",
        "die",
        "wie",
        "wenn",
        "so",
        "dann",
        "da",
        "beispiel",
        "folgendes",
        "jeder",
        "und",
        "oder",
        "aber",
        "in",
        "im",
        "mit",
        "für",
        "zu",
        "bei",
        "auf",
        "nach",
        "abbildung",
        "leider",
        "ebenso",
        "also",
        "zugegebenermaßen",
        "damit",
        "dabei",
        "hierbei",
        "somit",
        "daher",
        "deshalb",
        "außerdem",
        "allerdings",
        "jedoch",
        "zunächst",
        "nun",
        "jetzt",
        "beweis",
        "sei",
        "seien",
        "dort",
        "oft",
        "meist",
        "natürlich",
        "eigentlich",
        "insbesondere",
        "ferner",
    },
}

EN_DEFINITION = re.compile(
    r"^(?:(?:An?|The)\s+)?(?P<term>[A-Za-z][\w\-/ ()]{1,60}?)\s+"
    r"(?P<verb>is defined as|is called|refers to|means|denotes|describes|is|are)\s+(?P<definition>.{15,400})$"
)
DE_DEFINITION = re.compile(
    r"^(?:(?:Der|Die|Das|Ein|Eine|Einen)\s+)?(?P<term>[A-ZÄÖÜ][\w\-/ ()]{1,60}?)\s+"
    r"(?P<verb>bezeichnet|beschreibt|heißt|ist|sind)\s+(?P<definition>.{15,400})$"
)
DE_UNDER = re.compile(
    r"^Unter (?:(?:dem|der|den|einem|einer)\s+)?(?P<term>.{2,60}?) versteht man (?P<definition>.{15,400})$"
)
DE_AS = re.compile(r"^Als (?P<term>.{2,60}?) (?:bezeichnet|versteht) man (?P<definition>.{15,400})$")
GLOSSARY = re.compile(r"^(?P<term>[^:.!?]{2,60}):\s+(?P<definition>.{10,400})$")

TEXTS = {
    "en": {
        "what_is": "What is {term}?",
        "what_are": "What are {term}?",
        "which_term": "Which term matches this description: “{definition}”",
        "fill_blank": "Fill in the blank: {sentence}",
        "explanation": "From the document: “{snippet}”",
    },
    "de": {
        "what_is": "Was ist {term}?",
        "what_are": "Was sind {term}?",
        "which_term": "Welcher Begriff passt zu dieser Beschreibung: „{definition}“",
        "fill_blank": "Ergänze die Lücke: {sentence}",
        "explanation": "Aus dem Dokument: „{snippet}“",
    },
}
BLANK = "_____"
CLAUSE_WORDS = {"that", "which", "who", "where", "when", "dass", "der", "die", "das", "welche", "wo", "wenn"}
# After "is"/"ist" only a noun phrase makes a definition ("A vector is a quantity ..."), not
# "Vectors are likely ..." or "Programmieren ist so schwer nicht".
EN_NOUN_PHRASE = re.compile(r"^(?:a|an|the|one of|any|used to|defined as|called|made of|composed of|said to)\b", re.I)
DE_NOUN_PHRASE = re.compile(r"^(?:ein|eine|einer|eines|der|die|das|definiert als|gegeben durch)\b", re.I)
WEAK_VERBS = {"is", "are", "ist", "sind"}


@dataclass
class Definition:
    term: str
    definition: str
    plural: bool
    section_order: int
    snippet: str


def _texts(language: str) -> dict[str, str]:
    return TEXTS["de" if language == "de" else "en"]


def _body(sections: list[SourceSection]) -> list[SourceSection]:
    return [s for s in sections if s.heading_level == 0]


def _clean_term(term: str, language: str) -> str | None:
    term = squash(term.strip(" -–•*\"'„“”"))
    words = term.split()
    lang = "de" if language == "de" else "en"
    if not words or len(words) > MAX_TERM_WORDS or len(term) < 2:
        return None
    if words[0].casefold() in BAD_TERM_STARTS[lang] or all(w.casefold() in stopwords(language) for w in words):
        return None
    if not any(ch.isalpha() for ch in term) or re.search(r"[^\w\-/() ]", term):
        return None
    if any(word.casefold() in CLAUSE_WORDS for word in words[1:]):
        return None
    return term


def _clean_definition(definition: str) -> str | None:
    definition = squash(definition).strip()
    if len(definition) > MAX_ANSWER_CHARS:
        # Keep one card atomic: cut at the first clause that still says something.
        cut = re.split(r"(?<=[;:,])\s", definition[:MAX_ANSWER_CHARS])
        definition = cut[0] if len(cut[0]) >= 15 else ""
    if len(definition) < 10 or len(definition.split()) < 3 or not _mostly_words(definition):
        return None
    definition = definition[0].upper() + definition[1:]
    return definition if definition[-1] in ".!?)" else definition.rstrip(",;:") + "."


def _mostly_words(text: str) -> bool:
    letters = sum(ch.isalpha() or ch == " " for ch in text)
    return letters >= 0.8 * len(text) and "http" not in text and "www." not in text


def _match_definition(sentence: str, language: str) -> tuple[str, str, bool] | None:
    patterns = [DE_UNDER, DE_AS, DE_DEFINITION] if language == "de" else [EN_DEFINITION]
    for pattern in patterns:
        match = pattern.match(sentence)
        if match:
            verb = match.groupdict().get("verb")
            noun_phrase = DE_NOUN_PHRASE if language == "de" else EN_NOUN_PHRASE
            if verb in WEAK_VERBS and not noun_phrase.match(match.group("definition")):
                continue
            return match.group("term"), match.group("definition"), verb in ("are", "sind")
    return None


def find_definitions(sections: list[SourceSection], language: str) -> list[Definition]:
    found: list[Definition] = []
    for section in _body(sections):
        glossary = GLOSSARY.match(section.text.lstrip("• "))
        if glossary:
            candidates = [(glossary.group("term"), glossary.group("definition"), False, section.text)]
        else:
            candidates = []
            for sentence in sentences(section.text):
                if not is_informative(sentence):
                    continue
                matched = _match_definition(sentence, language)
                if matched:
                    candidates.append((*matched, sentence))
        for raw_term, raw_definition, plural, snippet in candidates:
            term, definition = _clean_term(raw_term, language), _clean_definition(raw_definition)
            if term and definition and normalize(term) not in normalize(definition)[: len(term) + 2]:
                found.append(Definition(term, definition, plural, section.order, snippet))
    return found


def _cloze_candidates(sections: list[SourceSection], terms: list[str]) -> list[tuple[str, str, int]]:
    """(sentence, term, section order) for informative sentences that hold a key term."""
    rank = {term: index for index, term in enumerate(terms)}
    candidates = []
    for section in _body(sections):
        for sentence in sentences(section.text):
            if not MIN_CLOZE_CHARS <= len(sentence) <= MAX_CLOZE_CHARS or not is_informative(sentence):
                continue
            present = [term for term in terms if contains_term(sentence, term)]
            if present:
                best = min(present, key=lambda t: (rank[t], -len(t)))
                candidates.append((sentence, best, section.order))
    candidates.sort(key=lambda c: rank[c[1]])
    return candidates


def _spread(candidates: list[tuple[str, str, int]], per_term: int) -> list[tuple[str, str, int]]:
    used: dict[str, int] = {}
    chosen = []
    for candidate in candidates:
        key = normalize(candidate[1])
        if used.get(key, 0) < per_term:
            used[key] = used.get(key, 0) + 1
            chosen.append(candidate)
    return sorted(chosen, key=lambda c: c[2])


def _seeded(text: str) -> random.Random:
    return random.Random(int(hashlib.sha256(text.encode()).hexdigest()[:16], 16))  # noqa: S311 - not crypto


def _distractors(answer: str, pool: list[str], stem: str, count: int = 3) -> list[str] | None:
    """Other terms of the same kind: as many words as the answer where possible, never the answer."""
    key = normalize(answer)
    seen = {key}
    usable = []
    for term in pool:
        term_key = normalize(term)
        if term_key in seen or key in term_key or term_key in key or contains_term(stem, term):
            continue
        seen.add(term_key)
        usable.append(term)
    same_kind = [t for t in usable if (len(t.split()) > 1) == (len(answer.split()) > 1)]
    others = [t for t in usable if t not in same_kind]
    ordered = same_kind + others
    if len(ordered) < count:
        return None
    rng = _seeded(stem)
    head = ordered[: count * 3]
    rng.shuffle(head)
    return head[:count]


def _question(
    stem: str, answer: str, pool: list[str], explanation: str, order: int, snippet: str
) -> QuestionDraft | None:
    distractors = _distractors(answer, pool, stem)
    if distractors is None:
        return None
    options = [answer, *distractors]
    _seeded(stem + "options").shuffle(options)
    return QuestionDraft(stem, options, options.index(answer), explanation, order, snippet)


class OfflineProvider:
    name = "offline"

    def generate_flashcards(self, sections: list[SourceSection], language: str, limit: int) -> list[FlashcardDraft]:
        texts = _texts(language)
        cards: list[FlashcardDraft] = []
        for item in find_definitions(sections, language):
            front = (texts["what_are"] if item.plural else texts["what_is"]).format(term=item.term)
            cards.append(FlashcardDraft("basic", front, item.definition, item.section_order, item.snippet))
        terms = key_terms((s.text for s in _body(sections)), language)
        for sentence, term, order in _spread(_cloze_candidates(sections, terms), per_term=2):
            front = re.sub(rf"(?<!\w){re.escape(term)}(?!\w)", "{{c1::" + term + "}}", sentence, count=1)
            cards.append(FlashcardDraft("cloze", front, term, order, sentence))
        return _interleave(cards, limit)

    def generate_questions(self, sections: list[SourceSection], language: str, limit: int) -> list[QuestionDraft]:
        texts = _texts(language)
        terms = key_terms((s.text for s in _body(sections)), language)
        definitions = find_definitions(sections, language)
        term_pool = [d.term for d in definitions] + terms
        questions: list[QuestionDraft] = []
        for item in definitions:
            stem = texts["which_term"].format(definition=item.definition)
            explanation = texts["explanation"].format(snippet=item.snippet)
            question = _question(stem, item.term, term_pool, explanation, item.section_order, item.snippet)
            if question:
                questions.append(question)
        for sentence, term, order in _spread(_cloze_candidates(sections, terms), per_term=1):
            blanked = re.sub(rf"(?<!\w){re.escape(term)}(?!\w)", BLANK, sentence, count=1)
            stem = texts["fill_blank"].format(sentence=blanked)
            explanation = texts["explanation"].format(snippet=sentence)
            question = _question(stem, term, terms, explanation, order, sentence)
            if question:
                questions.append(question)
        return _interleave(questions, limit)

    def extract_topics(self, sections: list[SourceSection], language: str) -> list[TopicDraft]:
        if not sections:
            return []
        headings = _distinct_headings(sections)
        spans = _heading_spans(sections, headings) if headings else _cluster_spans(sections, language)
        return [_topic(sections, title, level, first, last, language) for title, level, first, last in spans]


def _interleave(items: list, limit: int) -> list:
    """Keep at most `limit`, spread over the whole document rather than its first pages."""
    if len(items) <= limit:
        return sorted(items, key=lambda i: i.section_order)
    step = len(items) / limit
    return sorted((items[int(i * step)] for i in range(limit)), key=lambda i: i.section_order)


def _distinct_headings(sections: list[SourceSection]) -> list[SourceSection]:
    """Headings worth a topic: not a repeat of the previous one (slide decks repeat titles)."""
    headings: list[SourceSection] = []
    for section in sections:
        if section.heading_level and 2 <= len(section.text) <= 120:
            if headings and normalize(headings[-1].text) == normalize(section.text):
                continue
            headings.append(section)
    return headings


def _heading_spans(sections: list[SourceSection], headings: list[SourceSection]) -> list[tuple[str, int, int, int]]:
    last_order = sections[-1].order
    top = min(h.heading_level for h in headings)
    spans = []
    for index, heading in enumerate(headings):
        level = heading.heading_level - top + 1
        end = next((h.order - 1 for h in headings[index + 1 :] if h.heading_level - top + 1 <= level), last_order)
        spans.append((heading.text, level, heading.order, end))
    first_heading = headings[0].order
    if any(s.heading_level == 0 and len(s.text) > 200 for s in sections if s.order < first_heading):
        spans.insert(0, (_first_words(sections[0].text), 1, sections[0].order, first_heading - 1))
    return spans


def _cluster_spans(sections: list[SourceSection], language: str) -> list[tuple[str, int, int, int]]:
    """No headings: consecutive runs of sections, each named by its strongest key term."""
    total = sum(len(s.text) for s in sections)
    parts = max(1, min(8, total // 3000))
    target = total / parts
    spans, start, size = [], 0, 0
    for index, section in enumerate(sections):
        size += len(section.text)
        if size >= target or index == len(sections) - 1:
            chunk = sections[start : index + 1]
            terms = key_terms((s.text for s in chunk), language, top=1)
            title = terms[0] if terms else _first_words(chunk[0].text)
            spans.append((title[:1].upper() + title[1:], 1, chunk[0].order, chunk[-1].order))
            start, size = index + 1, 0
    return spans


def _first_words(text: str, count: int = 6) -> str:
    words = text.split()
    return " ".join(words[:count]) + ("…" if len(words) > count else "")


def _topic(sections: list[SourceSection], title: str, level: int, first: int, last: int, language: str) -> TopicDraft:
    inside = [s for s in sections if first <= s.order <= last]
    body = _body(inside)
    terms = key_terms((s.text for s in body), language, top=5) if body else []
    summary_sentences = [s for section in body for s in sentences(section.text) if is_informative(s) and len(s) <= 300]
    summary_sentences = summary_sentences[:2]
    pages = sorted({s.page for s in inside if s.page is not None})
    return TopicDraft(title, " ".join(summary_sentences), level, first, last, pages, terms)
