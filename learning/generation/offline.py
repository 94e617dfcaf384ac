"""The offline generator: study material without any API, in the document's language.

It works from the document's learnable statements (statements.py): complete, self-contained
sentences, tagged with German and English part-of-speech models. Flashcards are definitions
("Was ist ein Kellerautomat?") and clozes that blank the sentence's domain term, a noun phrase
(never a label, a generic word or one still visible elsewhere). Questions ask which term a
definition describes, or which term fills a blank; their distractors are other domain terms of the
same document, nearest first, of the answer's kind (number, and in German gender, agree), none
sharing a lemma with the answer, each other or the sentence. Topics follow the headings, or
key-term clusters when there are none. Every item cites the section it comes from with a sentence
that occurs there verbatim.
"""

from __future__ import annotations

import hashlib
import random
import re

from core.cloze import cloze_mark
from learning.generation import nlp
from learning.generation.drafts import FlashcardDraft, QuestionDraft, SourceSection, TopicDraft
from learning.generation.nlp import split_sentences
from learning.generation.statements import Analysis, Definition, Statement, Term, analyse, body_sections, term_of
from learning.generation.text import is_informative, key_terms, normalize, remembered, sentences
from learning.rubric import answer_visible, statement_problem

CARDS_PER_UNIT = 4
QUESTIONS_PER_UNIT = 3
USES_PER_ANSWER = 2
DISTRACTOR_POOL = 8
NEARBY_TERMS = 60  # distractors of the answer's kind but not its family come from this close
# Distractors come from the answer's family first (listed with it, defined like it, the same head
# noun), then from the terms nearby that the document uses alike: at least this cosine of contexts.
MIN_SIMILARITY = 0.1
FALLBACK_QUESTIONS = 2
MAX_OFFERS = 3  # a term not of the answer's family is a distractor in at most this many questions
GERMAN_FAMILY = 2  # of a German gap's three distractors, at least this many from the answer's family

TEXTS = {
    "en": {
        "what_is": "What is {term}?",
        "what_are": "What are {term}?",
        "meant_by": "What is meant by “{term}”?",
        "which_term": "Which term matches this description: “{definition}”",
        "fill_blank": "Fill in the blank: {sentence}",
        "explanation": "From the document: “{snippet}”",
        "examples": "Give {count} examples of {kind}.",
    },
    "de": {
        "what_is": "Was ist {term}?",
        "what_are": "Was sind {term}?",
        "meant_by": "Was versteht man unter „{term}“?",
        "which_term": "Welcher Begriff passt zu dieser Beschreibung: „{definition}“",
        "fill_blank": "Ergänze die Lücke: {sentence}",
        "explanation": "Aus dem Dokument: „{snippet}“",
        "examples": "Nenne {count} Beispiele für {kind}.",
    },
}
BLANK = "_____"


_COUNTS = {"en": "two three four five".split(), "de": "zwei drei vier fünf".split()}


def _count_word(count: int, language: str) -> str:
    return _COUNTS["de" if language == "de" else "en"][count - 2]


def _texts(language: str) -> dict[str, str]:
    return TEXTS["de" if language == "de" else "en"]


def _analysis(sections: list[SourceSection], language: str) -> Analysis:
    key = ("statements", language, hashlib.sha256("\x00".join(s.text for s in sections).encode()).digest())
    return remembered(key, lambda: analyse(sections, language))


def _seeded(text: str) -> random.Random:
    return random.Random(int(hashlib.sha256(text.encode()).hexdigest()[:16], 16))  # noqa: S311 - not crypto


def _front(definition: Definition, language: str) -> str:
    texts = _texts(language)
    article = definition.article.lower()
    if article in ("a", "an", "ein", "eine"):
        return texts["what_is"].format(term=f"{article} {definition.term}")
    if definition.plural and not article:
        return texts["what_are"].format(term=definition.term)
    return texts["meant_by"].format(term=definition.term)


def _cloze(statement: Statement) -> str:
    blank = statement.blank
    start, end = statement.tokens[blank.first].start, statement.tokens[blank.last].end
    return cloze_mark(statement.text, start, end)


def _per_unit(items: list, per_unit: int, unit_of) -> list:
    """At most `per_unit` items a page, best first, and no answer more than twice."""
    counts: dict[int, int] = {}
    answers: dict[str, int] = {}
    kept = []
    for item in items:
        unit, answer = unit_of(item)
        if counts.get(unit, 0) >= per_unit or answers.get(answer, 0) >= USES_PER_ANSWER:
            continue
        counts[unit] = counts.get(unit, 0) + 1
        answers[answer] = answers.get(answer, 0) + 1
        kept.append(item)
    return kept


def _distractors(
    analysis: Analysis,
    answer: Term | None,
    answer_text: str,
    stem: str,
    order: int,
    language: str,
    agree: bool,
    same_shape: bool = True,
):
    """Three terms of the answer's kind from the same document, nearest to the question's place first."""
    stem_keys = {normalize(w)[:6] for w in re.findall(r"[^\W\d_]{4,}", stem)}
    answer_keys = set(answer.key.split()) if answer else {normalize(w)[:6] for w in answer_text.split()}
    words = answer.words if answer else len(answer_text.split())
    fitting, seen, heads = [], set(answer_keys), set()
    answer_key = answer.key if answer else " ".join(normalize(w)[:6] for w in answer_text.split())
    family = sorted(analysis.family(answer_key, answer_text), key=lambda t: abs(t.section_order - order))
    related_ids = {id(t) for t in family}
    nearest = [t for t in analysis.nearby(order, NEARBY_TERMS) if id(t) not in related_ids]
    if answer is not None:
        # Terms used like the answer come first among the rest. Within one document every term keeps
        # company with its subject, so this only orders them: alone it does not make a family
        # ("leaf node", "information gain" and "pruning" all sit beside "tree").
        alike = sorted(((-analysis.similarity(answer, t), n, t) for n, t in enumerate(nearest)), key=lambda x: x[:2])
        least = MIN_SIMILARITY if same_shape else MIN_SIMILARITY / 2
        nearest = [t for score, _n, t in alike if -score >= least]
    for term in family + nearest:
        keys = set(term.key.split())
        # No word of the answer, none of the stem, not the same words as an option already taken
        # ("dot product" beside "cross product" is fine: another concept of the family).
        shared = keys & answer_keys
        same_head_only = len(keys) > 1 and len(answer_keys) > 1 and shared == {term.key.split()[-1]}
        if (shared and not same_head_only) or keys & stem_keys or keys <= seen:
            continue  # ("dot product" for "cross product" is the family of its head, not a giveaway)
        german = agree and language == "de"
        if abs(term.words - words) > (0 if same_shape and agree else 1):
            continue  # a gap's options of one shape: a lone "kontextfreie Sprachen" among bare nouns stands out
        if german and answer is not None and answer.plural and _dative_ending(answer_text) != _dative_ending(term.text):
            continue  # "aus kontextfreien Grammatiken" takes no "Ausdrücke": the plural's case must show alike
        if (
            answer is not None
            and answer.plural is not None
            and term.plural is not None
            and term.plural != answer.plural
        ):
            continue
        # "eine echte Teilmenge": another adjective with the same ending before a noun that agrees
        if german and term.words > 1 and term.text.split()[0][-2:] != answer_text.split()[0][-2:]:
            continue
        if agree and language == "de" and answer is not None:
            if term.plural is None or answer.plural is None or term.plural != answer.plural:
                continue
            if not answer.plural and (term.gender is None or term.gender != answer.gender):
                continue
        if not 1 / 3 <= len(term.text) / max(1, len(answer_text)) <= 3:
            continue
        low, answer_low = term.text.casefold(), answer_text.casefold()
        if any(low.endswith(o) or o.endswith(low) for o in [answer_low, *(f.casefold() for _r, f, _k in fitting)]):
            continue  # Warteschlange for Schlange, Verteilung beside Exponentialverteilung: overlapping options
        is_family = id(term) in related_ids
        if not is_family and language == "de" and _process_noun(term.text):
            continue  # "Erstellung", "Berechnung", "Betrachtungen": any text's wording, no concept of this one
        head = keys and term.key.split()[-1]
        if not is_family and (
            analysis.offered[term.key] >= MAX_OFFERS or (head != answer_key.split()[-1] and head in heads)
        ):
            continue  # not "leaf node" in every question, nor "leaf node" beside "parent node" for "entropy"
        if term.text.casefold() in (f.casefold() for _family, f, _key in fitting) or answer_visible(
            stem, term.text, language
        ):
            continue
        seen |= keys
        heads.add(head)
        fitting.append((is_family, _same_case(term.text, stem, language), term.key))
        if len(fitting) >= DISTRACTOR_POOL:
            break
    if len(fitting) < 3:
        return None  # no three of the answer's kind: better no question than a giveaway
    family_count = sum(is_family for is_family, _t, _k in fitting)
    if agree and language == "de" and same_shape and family_count < GERMAN_FAMILY:
        # German gaps took "Komma" and "Polygon" beside "Säulendiagramm": terms used nearby are not
        # yet of one kind, only the family is (graded sample: 1 useful German question in 8).
        return None
    related = [(text, key) for is_family, text, key in fitting if is_family][:4]
    _seeded(stem).shuffle(related)
    chosen = related[:3] + [(text, key) for is_family, text, key in fitting if not is_family][: 3 - len(related[:3])]
    analysis.offered.update(key for _text, key in chosen)
    return [text for text, _key in chosen]


PROCESS_NOUN_ZIPF = 3.3


def _process_noun(text: str) -> bool:
    """A common German -ung noun of its own (not a compound's head): the name of an activity
    ("Erstellung", "Untersuchungen"), at home in every subject."""
    return " " not in text and text.endswith(("ung", "ungen")) and nlp.zipf(text, "de") >= PROCESS_NOUN_ZIPF


def _dative_ending(text: str) -> bool:
    """A German plural that ends in -n or -s reads the same in the dative; one that does not, does not."""
    return text.endswith(("n", "s"))


def _same_case(text: str, stem: str, language: str) -> str:
    """English options start with a capital where the blank opens the sentence ("_____ are …"),
    as written elsewhere ("axes", "Python") inside it."""
    sentence = stem.split(": ", 1)[-1]
    if language == "de" or not sentence.startswith(BLANK) or not text[:1].isalpha():
        return text
    return text[0].upper() + text[1:]


def _question(stem: str, answer: str, distractors: list[str], explanation: str, order: int, snippet: str):
    options = [answer, *distractors]
    _seeded(stem + "options").shuffle(options)
    return QuestionDraft(stem, options, options.index(answer), explanation, order, snippet)


class OfflineProvider:
    name = "offline"

    def generate_flashcards(self, sections: list[SourceSection], language: str, limit: int) -> list[FlashcardDraft]:
        analysis = _analysis(sections, language)
        cards: list[FlashcardDraft] = []
        for item in analysis.definitions:
            cards.append(
                FlashcardDraft("basic", _front(item, language), item.definition, item.section_order, item.snippet)
            )
        for found in analysis.examples:
            front = _texts(language)["examples"].format(count=_count_word(len(found.items), language), kind=found.kind)
            cards.append(FlashcardDraft("basic", front, found.answer, found.section_order, found.snippet))
        clozes = sorted(analysis.statements, key=lambda s: -s.score)
        for statement in clozes:
            cards.append(
                FlashcardDraft(
                    "cloze", _cloze(statement), statement.blank.text, statement.section_order, statement.text
                )
            )
        units = {s.section_order: s.unit for s in analysis.statements}
        units.update({d.section_order: d.unit for d in analysis.definitions})
        units.update({e.section_order: e.unit for e in analysis.examples})
        cards = _per_unit(cards, CARDS_PER_UNIT, lambda c: (units.get(c.section_order, -1), normalize(c.back)[:40]))
        return _interleave(cards, limit)

    def generate_questions(self, sections: list[SourceSection], language: str, limit: int) -> list[QuestionDraft]:
        analysis = _analysis(sections, language)
        questions = self._questions(analysis, language, same_shape=True)
        if not questions:
            # Options of one length and use for none of its sentences: a couple of questions whose
            # options differ by a word or share less context, rather than none at all.
            questions = self._questions(analysis, language, same_shape=False)[:FALLBACK_QUESTIONS]
        answers = [(unit, normalize(q.options[q.correct_index])[:40]) for unit, q in questions]
        paired = _per_unit(list(zip(answers, questions, strict=True)), QUESTIONS_PER_UNIT, lambda pair: pair[0])
        return _interleave([question for _key, (_unit, question) in paired], limit)

    def _questions(self, analysis: Analysis, language: str, same_shape: bool) -> list[tuple[int, QuestionDraft]]:
        texts = _texts(language)
        questions: list[tuple[int, QuestionDraft]] = []
        for item in analysis.definitions:
            stem = texts["which_term"].format(definition=item.definition)
            if answer_visible(item.definition, item.term, language, any_word=True):
                continue  # "A statement that assigns …" → assignment: the stem gives it away
            answer = next((t for t in analysis.terms if normalize(t.text) == normalize(item.term)), None)
            distractors = _distractors(
                analysis, answer, item.term, stem, item.section_order, language, False, same_shape
            )
            if distractors:
                explanation = texts["explanation"].format(snippet=item.snippet)
                question = _question(stem, item.term, distractors, explanation, item.section_order, item.snippet)
                questions.append((item.unit, question))
        per_unit: dict[int, int] = {}
        for unit, _question_draft in questions:
            per_unit[unit] = per_unit.get(unit, 0) + 1
        for statement in sorted(analysis.statements, key=lambda s: -s.score):
            if per_unit.get(statement.unit, 0) >= QUESTIONS_PER_UNIT:
                continue  # the page has its questions: no time on more distractor searches there
            blank = statement.blank
            if not nlp.is_noun(blank.head, language):
                continue  # a quoted adjective ("mutable"): no list of terms offers its kind
            answer = term_of(blank, statement.tokens, language, statement.section_order)
            start, end = statement.tokens[blank.first].start, statement.tokens[blank.last].end
            stem = texts["fill_blank"].format(sentence=statement.text[:start] + BLANK + statement.text[end:])
            order = statement.section_order
            distractors = _distractors(analysis, answer, blank.text, stem, order, language, True, same_shape)
            if distractors:
                explanation = texts["explanation"].format(snippet=statement.snippet)
                question = _question(stem, blank.text, distractors, explanation, order, statement.snippet)
                questions.append((statement.unit, question))
                per_unit[statement.unit] = per_unit.get(statement.unit, 0) + 1
        return questions

    def extract_topics(self, sections: list[SourceSection], language: str) -> list[TopicDraft]:
        if not sections:
            return []
        headings = _distinct_headings(sections)
        spans = _heading_spans(sections, headings) if headings else _cluster_spans(sections, language)
        spans = [span for n, span in enumerate(spans) if not _front_or_back_matter(sections, span, n == 0, language)]
        return [_topic(sections, title, level, first, last, language) for title, level, first, last in spans]


def _interleave(items: list, limit: int) -> list:
    """Keep at most `limit`, spread over the whole document rather than its first pages."""
    if len(items) <= limit:
        return sorted(items, key=lambda i: i.section_order)
    step = len(items) / limit
    return sorted((items[int(i * step)] for i in range(limit)), key=lambda i: i.section_order)


def _distinct_headings(sections: list[SourceSection]) -> list[SourceSection]:
    """Headings worth a topic: not a repeat of an earlier one (slide decks repeat titles and
    agendas; a repeated chapter's pages join the topic before them)."""
    headings: list[SourceSection] = []
    seen: set[str] = set()
    for section in sections:
        if section.heading_level and 2 <= len(section.text) <= 120:
            key = normalize(section.text)
            if key in seen:
                continue
            seen.add(key)
            headings.append(section)
    return headings


_BACK_MATTER = re.compile(
    r"^\W*(?:©|\(c\)|copyright|inhalt(?:sverzeichnis)?\W*$|contents\W*$|table of contents|index\W*$|"
    r"register\W*$|stichwortverzeichnis|literatur(?:verzeichnis)?\W*$|references\W*$|bibliography|"
    r"quellen(?:verzeichnis)?\W*$|abbildungsverzeichnis|tabellenverzeichnis|list of (?:figures|tables)|"
    r"image credits|bildnachweis|acknowledg|danksagung|impressum|about the authors?|lizenz|licen[cs]e|pause\b)",
    re.I,
)
_TOC_LINE = re.compile(r"(?:\.\s?){4,}\s*\d")
_RIGHTS = re.compile(r"©|copyright|licen[cs]ed?\b|all rights reserved", re.I)


def _front_or_back_matter(sections: list[SourceSection], span: tuple[str, int, int, int], first: bool, language: str):
    """A title page, table of contents, copyright or licence page, index, bibliography or break:
    no topic to study. Only the first span is judged by its text (a title page has no statements)."""
    title, _level, start, end = span
    if _BACK_MATTER.search(title):
        return True
    if not first:
        return False
    body = "\n".join(s.text for s in sections if start <= s.order <= end and not s.heading_level)
    if _TOC_LINE.search(body) or _RIGHTS.search(body):
        return True
    return not any(statement_problem(sentence, language) is None for sentence in split_sentences(body))


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
    body = body_sections(inside)
    terms = key_terms((s.text for s in body), language, top=5) if body else []
    summary_sentences = [s for section in body for s in sentences(section.text) if is_informative(s) and len(s) <= 300]
    summary_sentences = summary_sentences[:2]
    pages = sorted({s.page for s in inside if s.page is not None})
    return TopicDraft(title, " ".join(summary_sentences), level, first, last, pages, terms)
