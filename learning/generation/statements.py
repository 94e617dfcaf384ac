"""A document's learnable statements, for the offline generator.

1. Sentences (syntok, verbatim) of body text, labels stripped ("Satz: …" → "…"), that pass the
   rubric's cheap checks: complete, self-contained, no question, instruction, premise, meta
   sentence, maths or debris.
2. The most promising few per page are tagged (HanTa is too slow for every sentence) and must
   have a finite verb.
3. From each: a definition ("X ist ein …", "Unter X versteht man …", "X is a …", "X is called …"),
   the noun phrase worth blanking (a domain term, never a label, generic or visible-elsewhere
   word), and every domain noun phrase for the distractor inventory.
"""

from __future__ import annotations

import bisect
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from learning import rubric
from learning.checks import document_units
from learning.generation import nlp
from learning.generation.drafts import SourceSection
from learning.generation.text import normalize, stopwords

TAGGED_PER_UNIT = 8
MAX_TAGGED = 2500
MAX_TERM_WORDS = 5
MAX_DEFINITION_CHARS = 300
COMMON_MODIFIER = 4.5  # an adjective this common (given, resulting, other) makes no term

_EN_DEFINITION = re.compile(
    r"^(?P<article>(?:An?|The)\s+)?(?P<term>[A-Za-z][\w\-/ ()]{1,60}?)\s+"
    r"(?P<verb>is defined as|is called|refers to|denotes|means|is|are)\s+(?P<definition>.{15,400})$"
)
_EN_CALLED = re.compile(
    r"^(?P<definition>.{15,300}?)\s+(?:is|are) called (?:an?\s+|the\s+)?(?P<term>[\w\- ]{2,60})\.?$"
)
_DE_DEFINITION = re.compile(
    r"^(?P<article>(?:Der|Die|Das|Ein|Eine)\s+)?(?P<term>[A-ZÄÖÜ][\w\-/ ()]{1,60}?)\s+"
    r"(?P<verb>bezeichnet|beschreibt|heißt|ist|sind)\s+(?P<definition>.{15,400})$"
)
_DE_UNDER = re.compile(
    r"^Unter (?:(?:dem|der|den|einem|einer)\s+)?(?P<term>.{2,60}?) versteht man (?P<definition>.{15,400})$"
)
_DE_AS = re.compile(r"^Als (?P<term>.{2,60}?) (?:bezeichnet|versteht) man (?P<definition>.{15,400})$")
_DE_NAMED = re.compile(
    r"^(?P<definition>.{15,300}?) (?:nennt man|heißen|heißt|werden .{0,20}genannt) (?P<term>[\w\- ]{2,60})\.?$"
)
# After "is"/"ist" only a noun phrase makes a definition ("A vector is a quantity ..."), not
# "Vectors are likely ..." or "Programmieren ist so schwer nicht".
_EN_NOUN_PHRASE = re.compile(r"^(?:a|an|the|one of|any|used to|defined as|called|made of|composed of)\b", re.I)
_DE_NOUN_PHRASE = re.compile(r"^(?:ein|eine|einer|eines|der|die|das|definiert als|gegeben durch)\b", re.I)
_WEAK_VERBS = {"is", "are", "ist", "sind"}
_GLOSSARY = re.compile(r"^(?P<term>[^:.!?]{2,60}):\s+(?P<definition>.{10,400})$")
# "Root node: no incoming edge, zero or more outgoing edges." inside running text.
_COLON_DEFINITION = re.compile(r"^(?P<term>[A-ZÄÖÜ][\w\- ]{1,40}):\s+(?P<definition>[^:]{12,300})$")


@dataclass
class Statement:
    text: str  # as shown: label and lead-in stripped, first letter capitalised
    section_order: int
    unit: int
    snippet: str = ""  # verbatim in its section
    tokens: tuple[nlp.Token, ...] = ()
    blank: rubric.Phrase | None = None
    score: float = 0.0


@dataclass
class Definition:
    term: str
    article: str
    definition: str
    plural: bool
    section_order: int
    unit: int
    snippet: str


@dataclass
class Term:
    """A domain noun phrase of the document: a possible answer or distractor."""

    text: str
    key: str  # lemma key of every word
    head: nlp.Token
    words: int
    plural: bool | None
    gender: str | None
    section_order: int


@dataclass
class Analysis:
    language: str
    statements: list[Statement] = field(default_factory=list)
    definitions: list[Definition] = field(default_factory=list)
    examples: list[Examples] = field(default_factory=list)
    terms: list[Term] = field(default_factory=list)
    # Words the document lists together ("Entropy, Gini impurity, or the misclassification
    # error"): the same kind of thing, so each is a fair distractor for the others.
    listed_with: dict[str, set[str]] = field(default_factory=dict)
    defined: set[str] = field(default_factory=set)  # keys of the terms the document defines
    # The words each term keeps company with in the document: terms used alike are of a kind
    # (Exponentialverteilung and Erlangverteilung both with Dichte, Parameter, Mittelwert).
    contexts: dict[str, Counter] = field(default_factory=dict)
    offered: Counter = field(default_factory=Counter)  # how often each term was a distractor

    _norms: dict[str, float] = field(default_factory=dict)
    _similar: dict[tuple[str, str], float] = field(default_factory=dict)

    def similarity(self, a: Term, b: Term) -> float:
        """Cosine of the two terms' contexts (remembered: a question asks about many pairs)."""
        key_a, key_b = a.key.split()[-1], b.key.split()[-1]
        pair = (key_a, key_b) if key_a <= key_b else (key_b, key_a)
        if pair not in self._similar:
            first, second = self.contexts.get(key_a), self.contexts.get(key_b)
            value = 0.0
            if first and second:
                small, large = (first, second) if len(first) <= len(second) else (second, first)
                shared = sum(count * large[k] for k, count in small.items() if k in large)
                value = shared / (self._norm(key_a) * self._norm(key_b)) if shared else 0.0
            self._similar[pair] = value
        return self._similar[pair]

    def _norm(self, key: str) -> float:
        if key not in self._norms:
            self._norms[key] = math.sqrt(sum(v * v for v in self.contexts[key].values())) or 1.0
        return self._norms[key]

    _by_last_key: dict[str, list[Term]] | None = None
    _by_head: dict[str, list[Term]] | None = None
    _by_order: list[Term] | None = None

    def _index(self) -> None:
        self._by_last_key, self._by_head = defaultdict(list), defaultdict(list)
        for term in self.terms:
            self._by_last_key[term.key.split()[-1]].append(term)
            head = _head(term.text, self.language)
            if head:
                self._by_head[head].append(term)
        self._by_order = sorted(self.terms, key=lambda t: t.section_order)

    def family(self, answer_key: str, answer_text: str) -> list[Term]:
        """Terms of the answer's family: listed with it, defined like it, or with its head noun."""
        if self._by_order is None:
            self._index()
        found: dict[int, Term] = {}
        for key in self.listed_with.get(answer_key.split()[-1], ()):
            found.update((id(t), t) for t in self._by_last_key.get(key, ()))
        if answer_key in self.defined:
            found.update((id(t), t) for t in self.terms if t.key in self.defined)
        head = _head(answer_text, self.language)
        if head:
            found.update((id(t), t) for t in self._by_head.get(head, ()))
        return list(found.values())

    def nearby(self, order: int, count: int) -> list[Term]:
        """The `count` terms whose place in the document is nearest to `order`, nearest first."""
        if self._by_order is None:
            self._index()
        position = bisect.bisect_left([t.section_order for t in self._by_order], order)
        window = self._by_order[max(0, position - count) : position + count]
        return sorted(window, key=lambda t: abs(t.section_order - order))[:count]


def _head(text: str, language: str) -> str:
    last = text.split()[-1] if text.split() else ""
    if not last:
        return ""
    if language == "de":
        head = nlp.compound_head(last)
        return head if head != last.casefold() or len(text.split()) > 1 else ""
    return normalize(last)[:5] if len(text.split()) > 1 else ""


_LIST = re.compile(
    r"(?:[\w-]+(?: [\w-]+)?, ){1,8}(?:[\w-]+ )?[\w-]+,? (?:und|oder|sowie|and|or|as well as) "
    r"(?:the |die |der |das )?[\w-]+"
)


_CONTEXT_WORD = re.compile(r"[^\W\d_]{4,}")


def _contexts(sections: list[SourceSection], terms: list[Term], language: str) -> dict[str, Counter]:
    """For each term (by its head's key): the content words of the sentences it occurs in."""
    wanted = {term.key.split()[-1] for term in terms}
    stop = stopwords(language)
    contexts: dict[str, Counter] = defaultdict(Counter)
    for section in body_sections(sections):
        for sentence in re.split(r"(?<=[.!?])\s+|\n", section.text):
            keys = {normalize(w)[:6] for w in _CONTEXT_WORD.findall(sentence) if w.casefold() not in stop}
            present = keys & wanted
            for key in present:
                contexts[key].update(keys - {key})
    return contexts


def _listed_together(sections: list[SourceSection]) -> dict[str, set[str]]:
    groups: dict[str, set[str]] = defaultdict(set)
    for section in body_sections(sections):
        for match in _LIST.finditer(section.text):
            items = re.split(r",\s*|\s+(?:und|oder|sowie|and|or|as well as)\s+", match.group())
            keys = {normalize(item.split()[-1])[:6] for item in items if item.strip()}
            for key in keys:
                groups[key] |= keys - {key}
    return groups


def body_sections(sections: list[SourceSection]) -> list[SourceSection]:
    return [s for s in sections if s.heading_level == 0]


def candidates(sections: list[SourceSection], language: str) -> tuple[list[Statement], list[Statement]]:
    """Statements that pass the cheap checks, and "Term: description" lines."""
    unit_of = {order: unit.index for unit in document_units(sections) for order in unit.orders}
    found, described = [], []
    for section in body_sections(sections):
        for start, end in nlp.sentence_spans(section.text):
            raw = section.text[start:end].strip().lstrip("•●▪◦‣–*- ")
            snippet = rubric.strip_label(raw)
            text = rubric.drop_footnote_marks(snippet[:1].upper() + snippet[1:])
            unit = unit_of.get(section.order, -1)
            if rubric.statement_problem(text, language) is None:
                text = text if text[-1:] in ".!?" else text + "."  # a slide's bullet: shown, and tagged, with its stop
                found.append(Statement(text, section.order, unit, snippet))
            elif _COLON_DEFINITION.match(raw):
                described.append(Statement(raw, section.order, unit, raw))
    return found, described


def sentences_all(sections: list[SourceSection]) -> list[Statement]:
    """Every body sentence, unchecked: for the facts an instruction or question still names."""
    unit_of = {order: unit.index for unit in document_units(sections) for order in unit.orders}
    found = []
    for section in body_sections(sections):
        for start, end in nlp.sentence_spans(section.text):
            raw = section.text[start:end].strip().lstrip("•●▪◦‣–*- ")
            if len(raw) <= rubric.MAX_STATEMENT_CHARS:
                found.append(Statement(raw, section.order, unit_of.get(section.order, -1), raw))
    return found


def _cheap_score(text: str, terms: rubric.DocumentTerms) -> float:
    words = re.findall(r"[^\W\d_]{4,}", text)
    return sum(terms.domain_word(w) for w in words) / (1 + len(words) ** 0.5)


def _tagged(statements: list[Statement], terms: rubric.DocumentTerms, language: str) -> list[Statement]:
    """The most promising statements of each unit, tagged; the rest are left out (time)."""
    by_unit: dict[int, list[Statement]] = defaultdict(list)
    for statement in statements:
        by_unit[statement.unit].append(statement)
    per_unit = max(2, min(TAGGED_PER_UNIT, MAX_TAGGED // max(1, len(by_unit))))
    kept = []
    for unit_statements in by_unit.values():
        unit_statements.sort(key=lambda s: -_cheap_score(s.text, terms))
        for statement in unit_statements[:per_unit]:
            statement.tokens = nlp.tag(statement.text, language)
            if rubric.structure_problem(statement.tokens, language) is None:
                kept.append(statement)
    return sorted(kept, key=lambda s: (s.section_order, s.text))


def without_common_modifiers(
    phrase: rubric.Phrase, text: str, tokens: tuple[nlp.Token, ...], language: str, terms: rubric.DocumentTerms
):
    """ "standard criterion" → "criterion", "larger hypothesis space" → "hypothesis space",
    "eigenes Paket" → "Paket": a common adjective is the sentence's wording, not part of the term
    (and an option list cannot repeat it)."""
    if terms is not None and terms.phrase_count(phrase.text) >= 2:
        return phrase  # "echte Teilmenge", said again and again: the adjective is part of the term
    first = phrase.first
    while first < phrase.last and (
        nlp.is_adjective(tokens[first], language) and nlp.zipf(tokens[first].text, language) >= COMMON_MODIFIER
    ):
        first += 1
    if first == phrase.first:
        return phrase
    return rubric.Phrase(first, phrase.last, text[tokens[first].start : tokens[phrase.last].end], phrase.head)


def _quoted_blank(statement: Statement, terms: rubric.DocumentTerms, language: str) -> rubric.Phrase | None:
    """The term the author quotes, if it makes a fair blank."""
    for match in rubric.QUOTED.finditer(statement.text):
        phrase = rubric.phrase_at(statement.text, statement.tokens, match.start(1), match.end(1))
        if phrase is None or phrase.text != match.group(1).strip():
            continue
        if rubric.quoted_blank_problem(statement.tokens, phrase, language, terms) is None:
            return phrase
    return None


def _choose_blank(statement: Statement, terms: rubric.DocumentTerms, language: str) -> None:
    quoted = _quoted_blank(statement, terms, language)
    if quoted is not None:
        # The author's own emphasis: "Lists are “mutable”", die sogenannte „Disziplin“.
        statement.score, statement.blank = terms.specificity(quoted.text.split()) + 2.0, quoted
        return
    best = None
    for phrase in rubric.noun_phrases(statement.text, statement.tokens, language):
        phrase = without_common_modifiers(phrase, statement.text, statement.tokens, language, terms)
        if len(phrase.text.split()) > MAX_TERM_WORDS:
            continue
        if rubric.blank_problem(statement.tokens, phrase, language, terms) is not None:
            continue
        words = phrase.text.split()
        score = terms.specificity(words) + (1.0 if len(words) > 1 else 0.0)
        if best is None or score > best[0]:
            best = (score, phrase)
    if best and not _concept_elsewhere(statement, best[1], terms, language):
        statement.score, statement.blank = best


CONCEPT_MARGIN = 1.2  # Zipf: a word outside the blank this much rarer is the sentence's concept
COMMON_BLANK = 3.5  # a one-word blank at least this common can be the sentence's filler


def _concept_elsewhere(statement: Statement, phrase: rubric.Phrase, terms: rubric.DocumentTerms, language: str):
    """A common one-word blank while a much rarer word outside it carries the sentence ("Strings
    are immutable - we cannot change the {contents}", "ein eigenes {Paket} für Excel-Daten"):
    blanking the filler would ask nothing worth learning. The document's subject words, names and
    abbreviations do not count (rare everywhere, or asked elsewhere)."""
    if phrase.first != phrase.last:
        return False  # "hypothesis space", "disjunkten Intervallen": a term of its own
    blank = nlp.zipf(phrase.head.text, language)
    if blank < COMMON_BLANK:
        return False
    stop = stopwords(language)
    for index, token in enumerate(statement.tokens):
        word = token.text
        if index == phrase.first or len(word) < 4 or not word.replace("-", "").isalpha() or word.casefold() in stop:
            continue
        if sum(ch.isupper() for ch in word) > 1 or nlp.is_name(token, language) or terms.topic_word(word):
            continue
        if nlp.zipf(word, language) <= blank - CONCEPT_MARGIN:
            return True
    return False


def term_of(phrase: rubric.Phrase, tokens: tuple[nlp.Token, ...], language: str, order: int) -> Term:
    words = tokens[phrase.first : phrase.last + 1]
    features = nlp.noun_features(phrase.head.text) if language == "de" else None
    plural = features[1] if features else nlp.plural(phrase.head, language)
    gender = features[0] if features else None
    if features is not None and not features[2]:
        plural = None  # an inflected form (des Polynoms): no distractor list would agree with it
    key = " ".join(normalize(t.lemma or t.text)[:6] for t in words)
    text = phrase.text
    opens = phrase.first == 0 and not nlp.is_name(words[0], language)
    if language != "de" and text[:1].isupper() and text[1:2].islower() and opens:
        text = text[0].lower() + text[1:]  # "Leaf node" opened its sentence; as an option it is "leaf node"
    return Term(text, key, phrase.head, len(words), plural, gender, order)


def _inventory(statements: list[Statement], terms: rubric.DocumentTerms, language: str) -> list[Term]:
    found: dict[str, Term] = {}
    for statement in statements:
        for phrase in rubric.noun_phrases(statement.text, statement.tokens, language):
            if (
                len(phrase.text.split()) > 3
                or not phrase.text[:1].isalpha()
                or rubric.looks_like_name(phrase.head, language)
            ):
                continue
            if len(phrase.text.split()) > 1 and terms.phrase_count(phrase.text) < 2:
                continue  # "highschool mathematics", said once: a phrase of the text, not a term of the subject
            modifiers = statement.tokens[phrase.first : phrase.last]
            if any(nlp.is_adjective(t, language) and nlp.zipf(t.text, language) >= COMMON_MODIFIER for t in modifiers):
                continue  # "given node", "resulting nodes": the text's wording around a term, no term itself
            problem = rubric.blank_problem(statement.tokens, phrase, language, terms)
            if problem in (None, "visible elsewhere"):
                term = term_of(phrase, statement.tokens, language, statement.section_order)
                found.setdefault(term.key, term)
    return list(found.values())


_DE_INNER_NOUN = re.compile(r"(?<=[a-zäöüß,;)] )[A-ZÄÖÜ][a-zäöüß]{3,}(?:-[A-ZÄÖÜ]?[a-zäöüß]+)*\b")


_DE_HEADING_NOUN = re.compile(r"\b[A-ZÄÖÜ][a-zäöüß]{3,}(?:-[A-ZÄÖÜ]?[a-zäöüß]+)*\b")  # a title's nouns open it too


def _german_nouns(sections: list[SourceSection], terms: rubric.DocumentTerms) -> list[Term]:
    """German nouns need no tagger to be found: capitalised inside a sentence, or anywhere in a
    heading. The noun list confirms each and gives its gender and number; only domain words are kept."""
    found: dict[str, Term] = {}
    for section in sections:
        pattern = _DE_HEADING_NOUN if section.heading_level else _DE_INNER_NOUN
        for match in pattern.finditer(section.text):
            word = match.group()
            key = normalize(word)[:6]
            if key in found or word.casefold() in rubric.LABEL_WORDS["de"] or not terms.domain_word(word):
                continue
            if terms.stem_count(word) < 2:
                continue  # a term the document uses once is not one of its concepts
            features = nlp.noun_features(word)
            if features is None or not features[2]:
                continue  # not a noun, or a genitive/dative form that would not fit another sentence
            if features[0] == "n" and not features[1] and word.endswith("en"):
                continue  # a verb used as a noun (das Zusammenfassen)
            head = nlp.Token(word, word, "NN", 0, len(word))
            found[key] = Term(word, key, head, 1, features[1], features[0], section.order)
    return list(found.values())


def _defined_terms(definitions: list[Definition], language: str) -> list[Term]:
    """The terms a document defines are its concepts, common words or not ("cross product")."""
    found = []
    for definition in definitions:
        tokens = tuple(t for t in nlp.tag(definition.term, language) if t.text[0].isalnum())
        if tokens:
            phrase = rubric.Phrase(0, len(tokens) - 1, definition.term, tokens[-1])
            found.append(term_of(phrase, tokens, language, definition.section_order))
    return found


def _clean_term(term: str, language: str) -> str | None:
    term = " ".join(term.strip(" -–•*\"'„“”").split())
    words = term.split()
    if not words or len(words) > MAX_TERM_WORDS or len(term) < 2 or re.search(r"[^\w\-/() ]", term):
        return None
    tokens = [t for t in nlp.tag(term, language) if t.text[0].isalnum()]
    if not tokens or (not nlp.is_noun(tokens[-1], language) and not tokens[-1].text.isupper()):
        return None
    lang = "de" if language == "de" else "en"
    if words[0].casefold() in rubric.DANGLING[lang] or tokens[-1].text.casefold() in rubric.LABEL_WORDS[lang]:
        return None
    return term


def _clean_definition(definition: str, language: str) -> str | None:
    definition = " ".join(definition.split()).strip()
    if re.match(r"^(?:To|Zu) \w+", definition):
        return None  # "To represent …" defines a verb: its options would be nouns and give it away
    if len(definition) > MAX_DEFINITION_CHARS or len(definition.split()) < 3:
        return None
    if rubric.noise_problem(definition) or definition.rstrip(".!")[-1:] in ":,;":
        return None
    definition = definition[0].upper() + definition[1:]
    return definition if definition[-1] in ".!)" else definition + "."


def _match_definition(text: str, language: str) -> tuple[str, str, str, bool] | None:
    """(article, term, definition, plural) of a defining sentence."""
    patterns = [_DE_UNDER, _DE_AS, _DE_NAMED, _DE_DEFINITION] if language == "de" else [_EN_CALLED, _EN_DEFINITION]
    for pattern in patterns:
        match = pattern.match(text)
        if not match:
            continue
        groups = match.groupdict()
        verb = groups.get("verb")
        noun_phrase = _DE_NOUN_PHRASE if language == "de" else _EN_NOUN_PHRASE
        if verb in _WEAK_VERBS and not noun_phrase.match(match.group("definition")):
            continue
        article = (groups.get("article") or "").strip()
        return article, match.group("term"), match.group("definition"), verb in ("are", "sind")
    return None


def _definition(statement: Statement, language: str) -> Definition | None:
    matched = _match_definition(statement.text, language)
    if matched is None:
        return None
    article, raw_term, raw_definition, plural = matched
    term, definition = _clean_term(raw_term, language), _clean_definition(raw_definition, language)
    if not term or not definition or rubric.answer_visible(definition, term, language):
        return None
    if rubric.statement_problem(definition, language) == "dangling start":
        return None
    return Definition(term, article, definition, plural, statement.section_order, statement.unit, statement.snippet)


def colon_definition(statement: Statement, terms: rubric.DocumentTerms, language: str) -> Definition | None:
    match = _COLON_DEFINITION.match(statement.text)
    term = match and _clean_term(match.group("term"), language)
    if not term or terms.counts[term.split()[-1].casefold()] < 2:
        return None  # a term the document names once is a label ("Einordnung: …"), not a concept
    tokens = [t for t in nlp.tag(term, language) if t.text[0].isalnum()]
    if not all(nlp.is_noun(t, language) or nlp.is_adjective(t, language) for t in tokens):
        return None
    if not any(terms.domain_word(t.text) for t in tokens if nlp.is_noun(t, language)):
        return None
    definition = _clean_definition(match.group("definition"), language)
    if not definition or rubric.answer_visible(definition, term, language):
        return None
    if len(definition.split()) < 5 or definition.count(",") >= 3 or re.search(r"\b(?:etc|usw)\b", definition):
        return None  # "Supervised learning algorithm: Classification and regression.": a list, not a definition
    return Definition(term, "", definition, False, statement.section_order, statement.unit, statement.snippet)


_DASHED = re.compile(r"^[-–•●▪]\s+(?P<definition>.{10,300})$")
_DASH_INLINE = re.compile(r"^(?P<term>[A-ZÄÖÜ][\w\- ]{1,40}?)\s+[–—]\s+(?P<definition>.{15,300})$")


def dashed_definitions(sections: list[SourceSection], language: str) -> list[Definition]:
    """A slide's "Algorithm" line with "- A set of rules …" under it, or "Algorithm – A set of
    rules …" on one line: a term and its description, as slides write definitions."""
    unit_of = {order: unit.index for unit in document_units(sections) for order in unit.orders}
    found = []
    for section in body_sections(sections):
        lines = [line.strip() for line in section.text.splitlines()]
        for index, line in enumerate(lines):
            inline = _DASH_INLINE.match(line)
            below = _DASHED.match(lines[index + 1]) if index + 1 < len(lines) else None
            if inline:
                raw_term, raw_definition, snippet = inline.group("term"), inline.group("definition"), line
            elif below and not line.endswith((".", ":", "?", "!")) and len(line.split()) <= 4:
                raw_term, raw_definition = line, below.group("definition")
                snippet = raw_definition
            else:
                continue
            term, definition = _clean_term(raw_term, language), _clean_definition(raw_definition, language)
            if not term or not definition or len(definition.split()) < 5:
                continue
            if rubric.answer_visible(definition, term, language) or rubric.statement_problem(
                definition, language
            ) not in (None, "fragment"):
                continue  # a description is often no sentence ("A set of rules …"), but no debris either
            unit = unit_of.get(section.order, -1)
            found.append(Definition(term, "", definition, False, section.order, unit, snippet))
    return found


@dataclass
class Examples:
    """ "unsupervised learning algorithms such as clustering and principal component analysis":
    a kind and the examples the document names for it."""

    kind: str
    items: list[str]
    answer: str  # the examples as the source writes them
    section_order: int
    unit: int
    snippet: str


_EXAMPLES_CUE = {
    "en": re.compile(r",? (?:such as|including|e\.g\.,?) "),
    "de": re.compile(
        r",? wie (?:z\. ?B\.|zum Beispiel|etwa|beispielsweise) |,? z\. ?B\. | wie (?=(?:der|die|das|den) )"
    ),
}
_EXAMPLES_END = re.compile(
    r"[.;:!?]|\s[-–]\s| (?:to|for|in|that|which|with|from|are|is|can|um|für|im|zur|zum|sind|ist|können|werden) "
)
_ITEM_SPLIT = re.compile(r",\s*(?:(?:and|or|und|oder)\s+)?|\s+(?:and|or|und|oder|sowie)\s+")
_ARTICLE = re.compile(r"^(?:the|a|an|der|die|das|den|dem|ein|eine|einen|einem)\s+", re.I)
MAX_EXAMPLES = 5
_VAGUE_MODIFIERS = set(
    "aforementioned above following such specific certain various other some many several different similar "
    "genannten obigen folgenden solche bestimmte verschiedene andere einige viele mehrere ähnliche".split()
)


def examples(sentences: list[Statement], language: str) -> list[Examples]:
    """Kinds and their examples from every body sentence, instructions and all: "Read Section 3 to
    learn about unsupervised learning algorithms such as clustering and PCA" names a fact."""
    lang = "de" if language == "de" else "en"
    found = []
    for sentence in sentences:
        text = sentence.text
        cue = _EXAMPLES_CUE[lang].search(text)
        if not cue or "?" in text:
            continue
        kind = _example_kind(text[: cue.start()], lang)
        rest = text[cue.end() :]
        end = _EXAMPLES_END.search(rest)
        span = rest[: end.start()] if end else rest
        span = span.strip(" ,")
        items = [_ARTICLE.sub("", item.strip()) for item in _ITEM_SPLIT.split(span) if item.strip()]
        if not kind or not 2 <= len(items) <= MAX_EXAMPLES or not re.search(r" (?:and|or|und|oder|sowie) ", span):
            continue
        if not all(_example_item(item, lang) for item in items) or rubric.noise_problem(span):
            continue
        if any(normalize(item)[:5] in normalize(kind) for item in items):
            continue  # "trees such as decision trees": the kind gives its example away
        found.append(Examples(kind, items, span, sentence.section_order, sentence.unit, sentence.snippet))
    return found


def _example_kind(before: str, lang: str) -> str | None:
    """The noun phrase just before the cue, plural ("learning algorithms", "Verteilungen")."""
    words = re.findall(r"[^\W\d_][\w-]*", before)[-4:]
    if not words or not re.search(r"[^\W\d_][\w-]*$", before.rstrip(" ,")):
        return None
    tokens = [t for t in nlp.tag(" ".join(words), lang) if t.text[0].isalnum()]
    phrases = rubric.noun_phrases(" ".join(words), tuple(tokens), lang)
    if not phrases or phrases[-1].last != len(tokens) - 1:
        return None
    phrase = phrases[-1]
    head = phrase.head
    if lang == "de":
        features = nlp.noun_features(head.text)
        if not features or not features[1]:
            return None
        adjectives = phrase.text.split()[:-1]
        if any(not a.endswith("e") for a in adjectives):
            return None  # "mit stetigen Verteilungen": a dative that no question can repeat
    elif not nlp.plural(head, lang):
        return None
    if len(phrase.text.split()) == 1 and nlp.zipf(phrase.text, lang) >= 4.5:
        return None  # "things such as …", "features such as …": too vague a kind to ask for
    if any(w.casefold() in _VAGUE_MODIFIERS for w in phrase.text.split()):
        return None  # "aforementioned concepts", "specific purposes": the kind needs its context
    if head.text.casefold() in rubric.LABEL_WORDS[lang]:
        return None
    return phrase.text


def _example_item(item: str, lang: str) -> bool:
    words = item.split()
    if not 1 <= len(words) <= 4 or not item[:1].isalnum() or len(item) > 50:
        return False
    tokens = [t for t in nlp.tag(item, lang) if t.text[0].isalnum()]
    if not tokens:
        return False
    last = tokens[-1]
    return nlp.is_noun(last, lang) or last.text.isupper() or item.endswith(")")


def glossary_definitions(sections: list[SourceSection], language: str) -> list[Definition]:
    """ "term: definition" paragraphs, only where most of the document is such a list."""
    body = body_sections(sections)
    matches = [(s, _GLOSSARY.match(s.text.strip())) for s in body]
    if not body or sum(1 for _s, m in matches if m) < 0.4 * len(body):
        return []
    unit_of = {order: unit.index for unit in document_units(sections) for order in unit.orders}
    found = []
    for section, match in matches:
        if not match:
            continue
        term = _clean_term(match.group("term"), language)
        definition = _clean_definition(match.group("definition"), language)
        if term and definition and not rubric.answer_visible(definition, term, language):
            plural = term.casefold().endswith("s") and not term.casefold().endswith("ss") and language != "de"
            unit = unit_of.get(section.order, -1)
            found.append(Definition(term, "", definition, plural, section.order, unit, section.text.strip()))
    return found


def analyse(sections: list[SourceSection], language: str) -> Analysis:
    terms = rubric.DocumentTerms.of(sections, language)
    analysis = Analysis(language)
    glossary = glossary_definitions(sections, language)
    found, described = candidates(sections, language)
    analysis.examples = examples(sentences_all(sections), language)
    statements = _tagged(found, terms, language)
    for statement in described:
        definition = colon_definition(statement, terms, language)
        if definition:
            analysis.definitions.append(definition)
    glossary_sections = {d.section_order for d in glossary}
    for statement in statements:
        if statement.section_order in glossary_sections:
            continue  # a glossary line is asked as its definition, not as a cloze
        definition = _definition(statement, language)
        if definition:
            analysis.definitions.append(definition)
            continue
        _choose_blank(statement, terms, language)
        if statement.blank is not None:
            analysis.statements.append(statement)
    analysis.definitions += dashed_definitions(sections, language)
    analysis.definitions = glossary + sorted(analysis.definitions, key=lambda d: d.section_order)
    inventory = _inventory(statements, terms, language)
    known = {term.key for term in inventory}
    analysis.terms = inventory + [t for t in _defined_terms(analysis.definitions, language) if t.key not in known]
    if language == "de":
        known = {term.key for term in analysis.terms}
        analysis.terms += [t for t in _german_nouns(sections, terms) if t.key not in known]
    analysis.listed_with = _listed_together(sections)
    answers = [term_of(s.blank, s.tokens, language, s.section_order) for s in analysis.statements]
    analysis.contexts = _contexts(sections, analysis.terms + answers, language)
    analysis.defined = {" ".join(normalize(w)[:6] for w in d.term.split()) for d in analysis.definitions}
    return analysis
