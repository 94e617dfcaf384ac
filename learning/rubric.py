"""The rubric's rules for a finished item, for every provider (`../shared/QUALITY.md`).

The offline generator uses them to choose sentences, blanks and distractors; the quality gates
hold every provider's items (the OpenAI one's too) to them. Each rule returns why an item fails,
or None. `make eval` does not use this module: its defect columns are measured independently.
"""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from core.cloze import CLOZE, cloze_sentence
from learning.generation import nlp
from learning.generation.text import normalize
from learning.generation.text import stopwords as nlp_stopwords

MIN_STATEMENT_CHARS, MAX_STATEMENT_CHARS = 24, 260
MIN_STATEMENT_WORDS, MAX_STATEMENT_WORDS = 4, 45
GENERIC_ZIPF = 4.5  # as common as "Reihe", "Text", "type", "time": no exam asks for it
# English nouns are more frequent than German compounds: "contents" (4.3) is filler, "magnitude" (3.5) a term.
GENERIC_ZIPF_EN = 4.2
TOPIC_HEADINGS = 2  # the document's title and first headings name its subject, not a blank
TITLE_PAGE_CHARS = 300
TERM_RECURRENCE = 3  # a phrase of common words the document uses this often is one of its terms
TECHNICAL_ZIPF = 3.0  # an adjective this rare makes its phrase a term ("kontextfreie Sprachen")
HEADING_TERM_MAX_ZIPF = 5.3  # a common word can still be the subject of the document ("list")

LABEL_WORDS = {
    "de": set(
        "satz sätze lemma def definition definitionen theorem korollar folgerung proposition bemerkung beispiel "
        "beispiele beweis abbildung abb tabelle tab kapitel abschnitt aufgabe aufgaben übung übungen lösung "
        "hinweis anmerkung notiz folie folien seite seiten merke frage fragen antwort schritt teil punkt liste "
        "überblick zusammenfassung einleitung fazit literatur quelle quellen".split()
    ),
    "en": set(
        "theorem lemma definition definitions def corollary proposition remark note notes example examples "
        "proof figure fig table chapter section exercise exercises problem solution hint slide slides page "
        "pages question questions answer step part point list overview summary introduction conclusion "
        "reference references source sources".split()
    ),
}
# Nouns that serve as prepositions or frames, rare enough to pass the frequency test.
FRAME_NOUNS = set(
    "mithilfe hilfe anfang ende rahmen hinblick bezug zuge laufe sinne folge stelle anzahl menge teil art weise "
    "möglichkeit möglichkeiten beispiel fall fälle grund hälfte kunstgriff trick "
    "help means terms respect case cases kind sort way number part example instance bit lot".split()
)
_LABEL_PREFIX = re.compile(
    r"^(?:Satz|Lemma|Def\.?|Definition|Theorem|Korollar|Folgerung|Proposition|Bemerkung|Remark|Note|"
    r"Hinweis|Merke|Corollary|Fact|Fakt|Beobachtung|Observation|Wichtig|Important|Key point|Merksatz)"
    r"(?:\s+[\dA-Z][\d.]*)?(?:\s*\([^)]{1,50}\))?\s*[:.]\s+"
)
DANGLING = {
    "en": set(
        "this these that those it its they them their he she his her such here thus hence therefore however "
        "also so then now moreover furthermore additionally similarly likewise again finally first firstly "
        "second secondly third next otherwise instead besides accordingly consequently meanwhile still yet "
        "nevertheless nonetheless conversely both either neither another other latter former above below "
        "and or but because since although though whereas while which who whose whom what where when why "
        "i.e e.g ie eg unfortunately of course naturally analogously similarly in particular".split()
    ),
    "de": set(
        "dies diese dieser dieses diesem diesen er sie es ihr ihre ihren ihrem sein seine seinen seinem hier "
        "hierbei hierzu hiermit hierfür dabei damit dazu daher darum deshalb deswegen dadurch darauf davon "
        "dafür dagegen danach darin dann nun jetzt also außerdem zudem ferner allerdings jedoch ebenso "
        "ebenfalls somit folglich trotzdem anderenfalls andernfalls sonst stattdessen zunächst schließlich "
        "weiterhin solche solcher solches solchen letztere erstere beide beides anschließend und oder aber "
        "denn weil da obwohl sondern bzw wobei womit wodurch worauf welche welcher welches was wer wo wie "
        "warum d.h z.b leider diesmal weiters weiter andere anderen anderes anderer natürlich freilich "
        "umgekehrt analog entsprechend genauso gleichzeitig insbesondere ähnlich letztlich nunja vielleicht "
        "zugegebenermaßen gerade manchmal übrigens eigentlich tatsächlich einfach ok okay so".split()
    ),
}
_EN_CONTEXT = re.compile(
    r"\b(?:this|these|that|those|the (?:next|previous|following|last|above|below)|our) "
    r"(?:section|chapter|lecture|course|class|slides?|unit|part|handout|notes?|document|book|tutorial|"
    r"workshop|script|example|figure|table|case|way|reason|equation|formula|approach|one|idea|point)\b|"
    r"\b(?:this|these|those|thus|hence|therefore)\b|^(?:for (?:instance|example)|in (?:addition|contrast|other words|"
    r"short|general|practice)|on the other hand|as a result|at this point|of course)\b|"
    r"\b(?:we|us)\b (?:\w+ )?(?:now|first|then|next|note|see|saw|will|consider|look|take|start|begin|get|got|have "
    r"seen|want|need|can see|are going|obtain|write|found|find)\b|\bour\b|"
    r"\bwe (?:will|shall|are going to|'ll|have seen|saw|discussed|learned)\b|\bas (?:shown|seen|mentioned|"
    r"discussed|described|noted|defined|before|above|below)\b|\b(?:above|below|previous(?:ly)?|aforementioned|"
    r"earlier|later)\b|\bsee (?:figure|fig|table|section|chapter|page|slide)\b|\bin (?:this|the next) "
    r"(?:section|chapter|lecture)\b|\bthe following\b|\bhere\b|\blet'?s\b|\bshown\b|\bas follows\b",
    re.I,
)
_DE_CONTEXT = re.compile(
    r"\b(?:dies\w*|nächst\w*|vorherig\w*|folgend\w*|letzt\w*|obig\w*|unser\w*|vorig\w*) "
    r"(?:Kapitel|Abschnitt|Vorlesung|Folie|Folien|Teil|Skript|Workshop|Übung|Beispiel|Abbildung|Tabelle|"
    r"Fall|Weise|Art|Grund|Gleichung|Formel|Ansatz|Idee|Punkt|Stelle|Schritt)\b|\b[Ii]m [Ff]olgenden\b|"
    r"\bdies(?:e[mnrs]?)?\b|\b(?:vorig|obig|letzt|vorhergehend|nächst|zuletzt)\w*|\balso\b|"
    r"\b(?:jetzt|nun|zuerst|zunächst|daher|solche\w*)\b|"
    r"\b(?:[Ww]ir|uns)\b (?:\w+ )?(?:betrachten|erhalten|setzen|nehmen|schreiben|führen|beschränken|wollen|sehen|"
    r"haben|suchen|beginnen|kommen|bekommen|müssen|möchten|machen|brauchen)\b|\bunser\w*\b|\b(?:dabei|hierbei|hierzu|dazu|davon|darauf|daraus|deshalb|deswegen)\b|"
    r"\bwerden wir\b|\bwie (?:oben|unten|bereits|vorher|gesehen|gezeigt)\b|\b(?:oben|unten|obige\w*|folgende\w*|"
    r"siehe|vgl|vorhin|später|zuvor|hier|dort)\b|"
    # "Die Daten sind so für … vorbereitet": "so" standing for a way shown before (not "so … wie/dass")
    r"\b(?:ist|sind|wird|werden|wurde|wurden|hat|haben|kann|können|lässt|lassen) (?:\w+ )?so\b"
    r"(?! ?genannt)(?!.*\b(?:wie|dass|daß|als)\b)",
)
_PREMISE = {
    "en": set("let suppose assume consider given recall remember imagine say take define denote".split()),
    "de": set("sei seien gegeben angenommen betrachte betrachten betrachtet nehmen setze setzen".split()),
}
_INSTRUCTION = {
    "en": set(
        "explain describe compute calculate show prove find determine compare discuss write click open run "
        "type select install save create make use try go check read look see note download enter press "
        "choose add remove copy paste define list name give draw implement solve derive verify identify "
        "think start notice keep".split()
    ),
    "de": set(
        "erklären erkläre beschreiben beschreibe berechnen berechne zeigen zeige beweisen beweise finden "
        "finde bestimmen bestimme vergleichen vergleiche diskutieren schreiben schreibe klicken klicke öffnen "
        "öffne installieren installiere speichern speichere erstellen erstelle nutzen nutze verwenden "
        "verwende lesen lies beachten beachte überlegen überlege".split()
    ),
}
_PERSONAL = {
    "en": set("i me my mine you your yours".split()),
    "de": set("ich mich mir mein meine meinen meinem meiner du dich dir dein deine deinen euch euer eure".split()),
}
_FRAGMENT_END = {
    "en": set(
        "a an the of to in on at by for with from as and or but that which if than into onto via per is are "
        "be such e.g i.e etc".split()
    ),
    "de": set(
        "der die das den dem des ein eine einen einem einer eines und oder aber von zu mit bei auf für aus "
        "in im an am um als wie dass ist sind z.b bzw etc".split()
    ),
}
_MATHS = re.compile(r"[=<>→←⇒⇔∈∉∪∩∑∏∫√≤≥±×÷∀∃⊂⊆⊇∅∞∂∇|{}\[\]#»«∘^~_\\]|\.\s?\.\s?\.|…")
_CODE = re.compile(r">>>|\w\(|\(\)|https?://|www\.|\S+@\S+|\w\.\w+\(|;$|`")
_GLUED = re.compile(
    r"[.,;:?!)][\d]{1,2}(?:\s|$|\.)|[a-zäöüß]{2,}\d{1,3}(?![\w.,])|\b\d+[a-zäöüß]{3,}\b|[a-zäöüß]{3}[A-ZÄÖÜ][a-zäöüß]{2}"
)
# "… ergibt sich die Beziehung." / "… the following formula." : the formula itself was not text.
_ANNOUNCES = re.compile(
    r"\b(?:Formeln?|Gleichungen?|Beziehung(?:en)?|Ausdr(?:uck|ücke)|Darstellung|formulas?|equations?|"
    r"expressions?|relations?|relationship)\s*[.!]?$"
)
# Remarks about the subject, not the subject: "Clarity is important", "der Mehraufwand lohnt sich".
_EVALUATIVE = re.compile(
    r"\b(?:nice|important|fundamental|essential|complicated|interesting|convenient|useful|helpful|handy|"
    r"easy|easier|simplest|straightforward|great|cool|fun|wichtig\w*|schön\w*|hilfreich\w*|praktisch\w*|"
    r"sinnvoll\w*|nützlich\w*|spannend\w*|lohnt|bequem\w*|leicht|schwierig\w*|kompliziert\w*|einfachste\w*)\b",
    re.I,
)
# "There exists a relatively large variety of decision tree algorithms", "Es gibt viele Pakete":
# that many of something exist is no fact to learn.
_EXISTENTIAL = re.compile(
    r"^(?:There (?:is|are|exists?) (?:a |an )?(?:(?:relatively|very|quite|rather) )?(?:\w+ )?"
    r"(?:variety|number|lot|lots|range|plethora|host|many|several|numerous|various|different)\b|"
    r"Es gibt (?:eine )?(?:\w+ )?(?:viele|Vielzahl|zahlreiche|verschiedene|mehrere|unterschiedliche|einige|Menge)\b)",
    re.I,
)
_EN_FIGURE = re.compile(
    r"\bthe (?:(?:two|three|following|above|same) )?(?:plots?|figures?|graphs?|diagrams?|pictures?|images?|"
    r"arrows?|charts?|tables?|illustrations?|sketch|screenshot|curve)\b|"
    r"\b(?:the|this|our|toy|following|previous|next) (?:examples?|exercises?)\b",
    re.I,
)
_DE_FIGURE = re.compile(
    r"\b(?:[Dd](?:ie|er|as|em|en)) (?:(?:beiden|folgenden|obigen) )?(?:Abbildung|Grafik|Graphik|Bild|Diagramm|"
    r"Pfeile?|Tabelle|Skizze|Plot|Kurve)\b|\b(?:[Ii]m|[Dd]as|[Dd]ieses|kleines|[Uu]nser\w*|vorigen) Beispiel\b|"
    r"\b(?:Übung|Aufgabe)\w*\b|\b(?:beide[nms]?|danach|"
    r"alles andere)\b"
)
_TERMINAL = ".!"
_SYMBOL = re.compile(r"\b(?:[A-Za-z][a-z]?\d+|[A-Z][a-z])\b")
_CAMEL = re.compile(r"[a-zäöüß][A-ZÄÖÜ][a-zäöüß]")
_DE_AUXILIARIES = set("ist sind war waren wird werden kann können hat haben muss müssen soll sollen zeigt gilt".split())


def _words(text: str) -> list[str]:
    return re.findall(r"[\w'’.-]+", text)


_LEAD_IN = re.compile(
    r"^(?:Note|Remember|Recall|Observe|It is (?:important|worth) (?:to note|noting)|Beachte|Beachten Sie|Merke),? "
    r"(?:that|dass) |^(?:And|But|Und|Aber) "
    # An English connective and its comma: the statement after it stands alone (German would
    # need its word order changed: "Daher ist …").
    r"|^(?:However|Therefore|Thus|Hence|Moreover|Furthermore|Additionally|In addition|Consequently|Also|"
    r"Similarly|Likewise|Nevertheless|Nonetheless|Finally|Of course|Naturally|In particular|Unfortunately|"
    r"In practice|In fact|Indeed), "
)
# "search2 over", "labels8.", "the other.10": a footnote's number glued to the word or the stop.
_FOOTNOTE_MARK = re.compile(r"(?<=[a-zäöüß]{3})\d{1,2}(?=[\s,;:.!?)]|$)|(?<=[a-zäöüß)][.!?])\d{1,2}(?=\s|$)")
# A subordinate clause before the main one ("While rules are more expressive, they …", "Da die
# Zeiten unabhängig sind, gilt …"): the opening word points into the sentence itself.
_SUBORDINATE = {
    "en": {"although", "though", "while", "whereas", "because", "since", "when"},
    "de": {"obwohl", "weil", "da", "wenn", "während", "sobald", "falls"},
}


def strip_label(sentence: str) -> str:
    """A statement without its label ("Satz: …", "Def.: …", "Theorem 3 (Bayes). …") or lead-in
    ("Note that …", "And …"): the rest, verbatim."""
    match = _LABEL_PREFIX.match(sentence)
    if match:
        sentence = sentence[match.end() :]
    match = _LEAD_IN.match(sentence)
    if match and sentence[match.end() :][:1].isalpha():
        sentence = sentence[match.end() :]
    return sentence


def drop_footnote_marks(sentence: str) -> str:
    """The sentence without footnote numbers glued to a word ("examples7 with") or its stop
    ("the other.10"); a symbol such as "log2" or "x1" keeps its digits (its word is no word)."""

    def keep(match: re.Match) -> str:
        if match.group(0) and sentence[match.start() - 1] in ".!?":
            return ""
        before = re.search(r"[^\W\d_]+$", sentence[: match.start()])
        word = before.group(0) if before else ""
        known = max(nlp.zipf(word, "en"), nlp.zipf(word, "de")) >= 3 and word.casefold() not in ("log", "exp")
        return "" if known else match.group(0)

    return _FOOTNOTE_MARK.sub(keep, sentence)


def _subordinate_opening(text: str, words: list[str], lang: str) -> bool:
    first = words[0].lower()
    return first in _SUBORDINATE[lang] and "," in text and words[1].lower() not in DANGLING[lang]


def _imperative(word: str) -> bool:
    """ "Klicken (Sie)", "Schauen (wir)": a capitalised verb form before Sie/wir."""
    return word[:1].isupper() and word.endswith(("en", "t")) and not word.endswith(("ten", "ungen"))


def statement_problem(sentence: str, language: str) -> str | None:
    """Why a sentence cannot stand alone as something to learn, or None (no tagging needed)."""
    lang = "de" if language == "de" else "en"
    text = sentence.strip()
    words = _words(text)
    if not MIN_STATEMENT_CHARS <= len(text) <= MAX_STATEMENT_CHARS:
        return "length"
    if not MIN_STATEMENT_WORDS <= len(words) <= MAX_STATEMENT_WORDS:
        return "length"
    if text.endswith("?"):
        return "question"
    if text[-1] in ":,;" or (text[-1].isalpha() and len(words) < 7):
        return "fragment"
    if not text[0].isupper():
        return "fragment"
    first = words[0].lower().rstrip(".")  # lower, not casefold: "zugegebenermaßen" keeps its ß
    there_is = lang == "de" and first == "es" and words[1:2] == ["gibt"]
    if first in DANGLING[lang] and not there_is and not _subordinate_opening(text, words, lang):
        return "dangling start"
    if lang == "de" and first in ("das", "der", "die") and len(words) > 1 and words[1] in _DE_AUXILIARIES:
        return "dangling start"
    if first in _PREMISE[lang] or first in _INSTRUCTION[lang]:
        return "premise or instruction"
    if lang == "de" and len(words) > 1 and words[1] in ("Sie", "wir") and _imperative(words[0]):
        return "premise or instruction"
    lowered = {w.lower().strip(".") for w in words}
    if lowered & _PERSONAL[lang]:
        return "personal"
    if (_EN_CONTEXT if lang == "en" else _DE_CONTEXT).search(text):
        return "refers to context"
    if _ANNOUNCES.search(text):
        return "fragment"
    if re.match(r"^[^\W\d_]+,", text):
        return "fragment"  # "Haben, als eine …": the rest of a sentence from the page before
    if _EVALUATIVE.search(text):
        return "opinion"
    if _EXISTENTIAL.search(text):
        return "trivia"
    long_words = [w for w in words if len(w) > 3]
    if lang == "en" and len(long_words) >= 3 and sum(w[0].isupper() for w in long_words) >= 0.6 * len(long_words):
        return "heading"  # "A List is a Kind of Collection": a slide title in Title Case
    if (_EN_FIGURE if lang == "en" else _DE_FIGURE).search(text):
        return "refers to a figure"
    if len(words) <= 7 and lowered & {"auch", "also", "too", "ebenfalls", "as well"}:
        return "refers to context"  # "Negativauswahl gibt es natürlich auch.": as well as what?
    last = words[-1].casefold().rstrip(".!")
    if last in _FRAGMENT_END[lang]:
        return "fragment"
    if text.count("(") != text.count(")") or text.count('"') % 2 or _unbalanced_quotes(text, lang):
        return "fragment"
    return noise_problem(text)


def _unbalanced_quotes(text: str, lang: str) -> bool:
    opening, closing = ("„", "“") if lang == "de" else ("“", "”")
    return text.count(opening) != text.count(closing)


def noise_problem(text: str) -> str | None:
    """Maths, code or extraction debris that a card cannot show well."""
    if _MATHS.search(text) or _CODE.search(text):
        return "maths or code"
    if _GLUED.search(text):
        return "glued words"
    letters = sum(ch.isalpha() or ch == " " for ch in text)
    if letters < 0.88 * len(text):
        return "maths or code"
    singles = [w for w in re.findall(r"\b[^\W\d_]\b", text) if w not in ("a", "A", "I")]
    if singles:
        return "maths or code"
    if any(nlp.zipf(w, "en") == 0 and nlp.zipf(w, "de") == 0 for w in re.findall(r"\b[a-z]{2,3}\b", text)):
        return "maths or code"  # "yn", "xj": variables of a formula the text lost
    if any(len(w) > 32 and "-" not in w for w in _words(text)):
        return "glued words"
    if any(len(w) >= 12 and _CAMEL.search(w) for w in _words(text)):
        return "glued words"  # "WieAttributewählen": spaces lost in extraction (JavaScript is shorter)
    if any(unicodedata.category(ch) in ("Sm", "So", "Sk") for ch in text):
        return "maths or code"
    if any(_glued_variable(w) for w in re.findall(r"\b[^\W\d_]{3,}\b", text)):
        return "glued words"
    if re.search(r"\b[A-H]{3,4}\b", text):
        return "maths or code"  # "ABCD is a parallelogram": points of a figure
    for match in _SYMBOL.finditer(text):
        symbol = match.group()
        if any(ch.isdigit() for ch in symbol):
            if max(nlp.zipf(symbol, "en"), nlp.zipf(symbol, "de")) < 3:
                return "maths or code"  # "W0", "x1": a formula's symbol the card never defines
        elif match.start() > 0 and max(nlp.zipf(symbol.lower(), "en"), nlp.zipf(symbol.lower(), "de")) < 4.5:
            return "maths or code"  # "von Ut", "Dv": capitalised two letters inside a sentence are a symbol
    return None


def _glued_variable(word: str) -> bool:
    """ "aand", "busually", "Tcan": a formula's variable glued to the next word (no such word exists,
    but the rest of it does)."""
    if nlp.zipf(word, "en") > 0 or nlp.zipf(word, "de") > 0:
        return False
    rest = word[1:]
    return nlp.zipf(rest, "en") >= 3.5 or nlp.zipf(rest, "de") >= 3.5


def structure_problem(tokens: tuple[nlp.Token, ...], language: str) -> str | None:
    """What the tags show: no finite verb outside brackets (a fragment or a title), an English
    sentence that opens with its verb (an imperative, or a bullet without a subject)."""
    words, depth = [], 0
    for token in tokens:
        depth += token.text == "("
        depth -= token.text == ")"
        if depth == 0 and token.text[0].isalnum():
            words.append(token)
    if not words or not any(nlp.is_finite_verb(t, language) for t in words):
        return "fragment"
    if language != "de" and (nlp.is_finite_verb(words[0], language) or words[0].tag in ("VVI", "VBI")):
        return "premise or instruction"
    if words[0].tag in ("PDS", "PPER", "PNP", "DT0") and words[0].text.casefold() not in ("es", "there"):
        return "dangling start"  # a pronoun with nothing on the card to refer to
    if _unresolved_pronoun(tokens, language):
        return "dangling start"  # "…, die es nutzen": it refers to something before the sentence
    if language == "de":
        verbs = [i for i, t in enumerate(tokens) if t.tag.startswith(("VV", "VA", "VM"))]
        first = verbs[0] if verbs else None
        if first is not None and tokens[first].tag == "VV(INF)" and (first == 0 or tokens[first - 1].text != "zu"):
            return "premise or instruction"  # "Fehlermeldung lesen und überlegen, …": a to-do, not a fact
    return None


def _unresolved_pronoun(tokens: tuple[nlp.Token, ...], language: str) -> bool:
    """A third-person pronoun inside the sentence with no noun before it that it could stand for:
    English "it"/"its" after no noun, German "es" after no neuter noun (not "es gibt")."""
    words = [t for t in tokens if t.text[0].isalnum()]
    for index, token in enumerate(words[1:], start=1):
        low = token.text.casefold()
        before = words[:index]
        if language == "de" and low == "es":
            neighbours = {w.text.casefold() for w in words[max(0, index - 1) : index + 2]}
            if "gibt" in neighbours or "geht" in neighbours:
                continue  # es gibt, es geht um: no referent needed
            genders = [nlp.noun_features(w.text) for w in before if nlp.is_noun(w, language)]
            if not any(g and g[0] == "n" and not g[1] for g in genders):
                return True
        elif language != "de" and low in ("it", "its") and not any(nlp.is_noun(w, language) for w in before):
            return True
    return False


# --- terms of a document ---------------------------------------------------------------------

_TOKEN = re.compile(r"[^\W\d_][\w-]*", re.UNICODE)


@dataclass
class DocumentTerms:
    """How often each word occurs in the document, and the words of its headings."""

    counts: Counter
    heading_words: set[str]
    language: str
    stems: Counter | None = None  # by the first six letters: inflected forms count together
    topics: set[str] = field(default_factory=set)
    pairs: Counter = field(default_factory=Counter)  # neighbouring words, for phrase counts

    def stem_count(self, word: str) -> int:
        if self.stems is None:
            self.stems = Counter()
            for key, count in self.counts.items():
                self.stems[key[:6]] += count
        return self.stems[word.casefold()[:6]]

    @classmethod
    def of(cls, sections: Iterable, language: str) -> DocumentTerms:
        counts: Counter = Counter()
        headings: set[str] = set()
        sections = list(sections)
        titles = [s.text for s in sections if s.heading_level][:TOPIC_HEADINGS]
        first = sections[0] if len(sections) > 1 else None
        if first and not first.heading_level and len(first.text) <= TITLE_PAGE_CHARS and ". " not in first.text + " ":
            titles.append(first.text)  # a title page: a few lines, no sentences
        topics = {w.casefold() for text in titles for w in _TOKEN.findall(text) if len(w) > 3}
        pairs: Counter = Counter()
        for section in sections:
            words = _TOKEN.findall(section.text)
            lowered = [word.casefold() for word in words]
            counts.update(lowered)
            pairs.update(itertools.pairwise(lowered))
            if section.heading_level:
                headings.update(word.casefold() for word in words)
            elif section.heading_path:
                headings.update(word.casefold() for word in _TOKEN.findall(section.heading_path))
        terms = cls(counts, headings, language, pairs=pairs)
        terms.topics = {terms._topic_key(word) for word in topics if nlp.zipf(word, language) < GENERIC_ZIPF + 1}
        return terms

    def domain_word(self, word: str) -> bool:
        """A word the document is about: rare in general language, or its heading's subject."""
        key = word.casefold()
        frequency = nlp.zipf(word, self.language)
        if frequency < (GENERIC_ZIPF if self.language == "de" else GENERIC_ZIPF_EN):
            return True
        stem = key[:-1] if key.endswith("s") and len(key) > 4 else key
        in_heading = key in self.heading_words or stem in self.heading_words
        return in_heading and frequency < HEADING_TERM_MAX_ZIPF and self.counts[key] >= 5

    def phrase_count(self, phrase: str) -> int:
        """About how often a phrase occurs in the document ("information gain": common words, one
        term): its rarest pair of neighbouring words."""
        words = [w.casefold() for w in _TOKEN.findall(phrase)]
        if len(words) < 2:
            return self.counts[words[0]] if words else 0
        return min(self.pairs[pair] for pair in itertools.pairwise(words))

    def topic_word(self, word: str) -> bool:
        """A word of the document's own subject: its title or first headings ("Decision Trees",
        "Warteschlangentheorie"). A blank on it is guessed from the course name, not learnt."""
        return self._topic_key(word.casefold()) in self.topics

    def _topic_key(self, word: str) -> str:
        """Singular and plural alike: "tree"/"trees", "Warteschlange"/"Warteschlangen"."""
        return word[:6] if self.language == "de" else word.removesuffix("s")[:6]

    def specificity(self, words: list[str]) -> float:
        """How much a phrase is one of the document's terms: rare in general language, and used
        again and again here (a recurring phrase like "information gain" most of all)."""
        rare = sum(max(0.0, 6.0 - nlp.zipf(w, self.language)) for w in words)
        recurring = math.log(1 + sum(self.counts[w.casefold()] for w in words))
        as_phrase = 2 * math.log(1 + self.phrase_count(" ".join(words))) if len(words) > 1 else 0.0
        return rare + recurring + as_phrase


# --- blanks ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Phrase:
    """A maximal noun phrase: adjectives and nouns ending in a noun head, by token positions."""

    first: int
    last: int  # the head noun
    text: str
    head: nlp.Token


def _nominal(token: nlp.Token, language: str) -> bool:
    return token.text[0].isalnum() and (nlp.is_adjective(token, language) or nlp.is_noun(token, language))


def noun_phrases(sentence: str, tokens: tuple[nlp.Token, ...], language: str) -> list[Phrase]:
    """Adjectives, then nouns: "kontextfreie Sprachen", "decision tree pruning". An adjective after
    a noun starts a new phrase ("vom Stack genommene Symbol" is two)."""
    phrases = []
    index = 0
    while index < len(tokens):
        if not _nominal(tokens[index], language):
            index += 1
            continue
        end = index
        while end + 1 < len(tokens) and nlp.is_adjective(tokens[end], language) and _nominal(tokens[end + 1], language):
            end += 1
        while end + 1 < len(tokens) and _noun(tokens[end + 1], language) and _noun(tokens[end], language):
            end += 1
        first = index
        if first > 0 and nlp.is_name(tokens[first - 1], language) and tokens[first - 1].text[:1].isupper():
            first -= 1  # "Shannon entropy", "Gini impurity": the name is part of the term
        elif first > 0 and tokens[first - 1].tag == "ADJ(D)" and nlp.is_adjective(tokens[first], language):
            first -= 1  # "deterministisch parsbare Sprachen": the adverb belongs to the term
        elif first > 0 and _noun(tokens[first - 1], language) and nlp.is_adjective(tokens[first], language):
            while first < end and nlp.is_adjective(tokens[first], language):
                first += 1  # "vom Stack genommene Symbol": the participle's own object came first
        if _noun(tokens[end], language):
            text = sentence[tokens[first].start : tokens[end].end]
            phrases.append(Phrase(first, end, text, tokens[end]))
        index = end + 1
    return phrases


def _noun(token: nlp.Token, language: str) -> bool:
    return token.text[0].isalnum() and nlp.is_noun(token, language)


def _lemma_key(token: nlp.Token) -> str:
    return normalize(token.lemma or token.text)[:6]


_ACRONYM = re.compile(r"^[A-ZÄÖÜ][A-ZÄÖÜ0-9]{1,5}s?$")


def blank_problem(
    tokens: tuple[nlp.Token, ...], phrase: Phrase, language: str, terms: DocumentTerms | None
) -> str | None:
    """Why this noun phrase makes a poor blank: a label, a name, a generic word, or still visible."""
    lang = "de" if language == "de" else "en"
    head = phrase.head
    if not nlp.is_noun(head, language):
        return "not a noun"
    if head.text.casefold() in LABEL_WORDS[lang] or normalize(head.lemma) in LABEL_WORDS[lang]:
        return "label"
    if head.text.casefold() in FRAME_NOUNS or normalize(head.lemma) in FRAME_NOUNS:
        return "generic"
    if lang == "de" and nlp.noun_features(head.text) is None and not _ACRONYM.match(head.text):
        return "not a noun"  # unknown to the noun list: a name (LIOUVILLE), a typo, debris
    words = tokens[phrase.first : phrase.last + 1]
    nouns = [t for t in words if nlp.is_noun(t, language)]
    technical = [t for t in words if nlp.is_adjective(t, language) and nlp.zipf(t.text, language) < TECHNICAL_ZIPF]
    recurring = len(nouns) > 1 and terms is not None and terms.phrase_count(phrase.text) >= TERM_RECURRENCE
    if terms is not None and not technical and not recurring and not any(terms.domain_word(t.text) for t in nouns):
        return "generic"
    if terms is not None and all(terms.topic_word(t.text) for t in nouns) and not technical:
        return "topic"  # the document's own subject ("Vectors" in a vector handout): guessed, not learnt
    # Visible elsewhere when every word of the blank shows in the rest, or its head does and the
    # rest is a common adjective: "die kontextfreien {Sprachen} und die Sprachen der PDAs" still
    # asks for "kontextfreien", "ein zufällig {ankommender Kunde} …, bis der Kunde" asks nothing.
    inside = {_lemma_key(t) for t in words if len(t.text) > 3}
    outside = {
        _lemma_key(t)
        for i, t in enumerate(tokens)
        if not phrase.first <= i <= phrase.last and t.text[0].isalpha() and len(t.text) > 3
    }
    if inside and inside <= outside:
        return "visible elsewhere"
    if inside & outside and not technical:
        return "visible elsewhere"  # "the {{range function}} … that range from": a word of it shows
    before = [t.text for t in tokens[max(0, phrase.first - 2) : phrase.first]]
    if len(before) == 2 and before[0].endswith("-") and before[1] in ("and", "or", "und", "oder"):
        return "visible elsewhere"  # "post- and {{pre-pruning}}": the other half gives it away
    after = tokens[phrase.last + 1 : phrase.last + 4]
    if len(after) >= 3 and after[0].text == "(" and after[2].text == ")" and after[1].text[:1].isupper():
        return "visible elsewhere"  # "{{c1::Kontextfreie Grammatiken}} (CFGs)": the abbreviation gives it away
    if phrase.first == 0 and phrase.last == len([t for t in tokens if t.text[0].isalnum()]) - 1:
        return "whole sentence"
    return None


def _stems(text: str, language: str, content_only: bool = False) -> set[str]:
    tokens = [t for t in nlp.tag(text, language) if t.text[0].isalpha()]
    if content_only:
        tokens = [t for t in tokens if nlp.is_noun(t, language) or nlp.is_adjective(t, language)]
    words = [w for token in tokens for w in token.text.split("-")]
    keys = set()
    for word in words:
        if len(word) >= 3 and word.casefold() not in nlp_stopwords(language):
            keys.add(normalize(word)[:5])
    return keys


def answer_visible(stem: str, answer: str, language: str, *, any_word: bool = False) -> bool:
    """The answer (any of its words, by stem) still shows in the rest of the item: "mapping from a
    key to a value" gives away "key-value pair". With `any_word`, verbs count too: "A statement
    that assigns a value" gives away "assignment" among the options of a question."""
    return bool(_stems(answer, language) & _stems(stem, language, content_only=not any_word))


# --- distractors -----------------------------------------------------------------------------


def looks_like_name(token: nlp.Token, language: str) -> bool:
    """A person's (or place's) name: tagged so, not a known German noun, and a word people use
    (Joseph, Glenn, Sally); an unknown technical word tagged as a name (Dataframe) is no name."""
    if not nlp.is_name(token, language) or not token.text[:1].isupper():
        return False
    if language == "de" and nlp.noun_features(token.text) is not None:
        return False
    return max(nlp.zipf(token.text, "en"), nlp.zipf(token.text, "de")) >= 2.5


def option_problem(option: str, language: str) -> str | None:
    """Why an option is no term a student could confuse with the answer."""
    lang = "de" if language == "de" else "en"
    text = option.strip()
    if not text or len(text) > 80:
        return "shape"
    tokens = [t for t in nlp.tag(text, language) if t.text[0].isalnum()]
    if not tokens:
        return "shape"
    head = tokens[-1]
    if head.text.casefold() in LABEL_WORDS[lang]:
        return "label"
    if looks_like_name(tokens[-1], language):
        return "person name"
    if any(nlp.is_finite_verb(t, language) for t in tokens) and len(tokens) <= 3:
        return "verb"
    if text.casefold() in _FRAGMENT_END[lang] or tokens[-1].text.casefold() in _FRAGMENT_END[lang]:
        return "fragment"
    return None


def options_problem(stem: str, options: list[str], correct: int, language: str) -> str | None:
    """Four options of one kind, lemma-distinct, none of them visible in the stem."""
    keys = []
    for option in options:
        problem = option_problem(option, language)
        if problem:
            return problem
        keys.append(" ".join(_lemma_key(t) for t in nlp.tag(option, language) if t.text[0].isalnum()))
    if len(set(keys)) < len(keys):
        return "same lemma"
    for index, option in enumerate(options):
        if index != correct and answer_visible(stem, option, language):
            return "option in stem"
    return None


# --- whole items (the quality gates) ---------------------------------------------------------

BLANK = "_____"


def phrase_at(sentence: str, tokens: tuple[nlp.Token, ...], start: int, end: int) -> Phrase | None:
    inside = [i for i, t in enumerate(tokens) if t.start >= start and t.end <= end and t.text[0].isalnum()]
    if not inside:
        return None
    first, last = inside[0], inside[-1]
    return Phrase(first, last, sentence[tokens[first].start : tokens[last].end], tokens[last])


def _blank_in_sentence(sentence: str, start: int, answer: str, language: str, terms: DocumentTerms | None):
    problem = statement_problem(sentence, language)
    if problem:
        return problem
    tokens = nlp.tag(sentence, language)
    problem = structure_problem(tokens, language)
    if problem:
        return problem
    phrase = phrase_at(sentence, tokens, start, start + len(answer))
    if phrase is None:
        return "not a noun"
    if is_quoted(sentence, start, start + len(answer)):
        return quoted_blank_problem(tokens, phrase, language, terms)
    return blank_problem(tokens, phrase, language, terms)


_OPENING_QUOTES, _CLOSING_QUOTES = '“„"«‘‚', '”“"»’‘'
QUOTED = re.compile(r"[“„\"«]([^“”„\"«»]{2,40})[”“\"»]")
MAX_QUOTED_WORDS = 3


def is_quoted(sentence: str, start: int, end: int) -> bool:
    return (
        start > 0
        and end < len(sentence)
        and sentence[start - 1] in _OPENING_QUOTES
        and (sentence[end] in _CLOSING_QUOTES)
    )


def quoted_blank_problem(
    tokens: tuple[nlp.Token, ...], phrase: Phrase, language: str, terms: DocumentTerms | None
) -> str | None:
    """A term the author puts in quotes ("Lists are “mutable”", „die sogenannte „Disziplin“"):
    the document's own word for a concept, whatever its part of speech; still not a label, a
    generic word, a phrase of many words or one visible elsewhere."""
    lang = "de" if language == "de" else "en"
    words = [t for t in tokens[phrase.first : phrase.last + 1] if t.text[0].isalnum()]
    if not words or len(words) > MAX_QUOTED_WORDS or not all(t.text.replace("-", "").isalpha() for t in words):
        return "not a term"
    if any(t.text.casefold() in LABEL_WORDS[lang] for t in words):
        return "label"
    limit = GENERIC_ZIPF if lang == "de" else GENERIC_ZIPF_EN
    if all(nlp.zipf(t.text, language) >= limit for t in words) and not (
        terms is not None and any(terms.domain_word(t.text) for t in words)
    ):
        return "generic"
    inside = {_lemma_key(t) for t in words if len(t.text) > 3}
    outside = {
        _lemma_key(t)
        for i, t in enumerate(tokens)
        if not phrase.first <= i <= phrase.last and t.text[0].isalpha() and len(t.text) > 3
    }
    if inside & outside:
        return "visible elsewhere"
    return None


def card_problem(kind: str, front: str, back: str, language: str, terms: DocumentTerms | None) -> str | None:
    """Why a finished card fails the rubric (any provider's), or None."""
    lang = "de" if language == "de" else "en"
    if kind == "cloze":
        match = CLOZE.search(front)
        if match is None:
            return "malformed"
        sentence = cloze_sentence(front)
        return _blank_in_sentence(sentence, match.start(), match.group(1), language, terms)
    words = _words(front)
    if not words or (
        words[0].casefold() in DANGLING[lang] and words[0].casefold() not in ("what", "which", "was", "wie")
    ):
        return "dangling start"
    if _GLUED.search(front) or _GLUED.search(back):
        return "glued words"
    return None


def question_problem(stem: str, options: list[str], correct: int, language: str, terms: DocumentTerms | None):
    """Why a finished multiple-choice question fails the rubric (any provider's), or None."""
    problem = options_problem(stem, options, correct, language)
    if problem:
        return problem
    if BLANK not in stem:
        if answer_visible(stem, options[correct], language, any_word=True):
            return "answer in stem"
        return None
    lead, _colon, rest = stem.partition(": ")
    sentence = rest if rest and len(lead) <= 30 else stem
    start = sentence.index(BLANK) if BLANK in sentence else -1
    if start < 0:
        return None
    filled = sentence.replace(BLANK, options[correct], 1)
    return _blank_in_sentence(filled, start, options[correct], language, terms)
