"""`make eval`'s defect columns: proxies of the rubric, measured on the items a student gets.

These are deliberately not the quality gates' rules (`learning/rubric.py`): their own word lists
and thresholds, so that they can disagree with the gates that filtered the items and show what
slipped through. They are proxies; the graded sample is the figure that counts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.cloze import CLOZE, cloze_sentence
from learning.generation.drafts import FlashcardDraft, QuestionDraft
from learning.generation.nlp import is_name, is_noun, tag, zipf

GENERIC_ZIPF = 4.5
LABELS = set(
    "satz definition def bemerkung beispiel theorem lemma korollar abbildung abb tabelle kapitel abschnitt "
    "aufgabe übung hinweis figure fig note example table chapter section exercise remark corollary "
    "proof beweis slide folie".split()
)
DANGLING = set(
    "diese dieser dieses dies diesem diesen er sie es sein seine ihr ihre dabei damit dazu daher also "
    "this these that those it its they their such thus hence however also then".split()
)
_BLANK = "_____"


@dataclass
class Defects:
    clozes: int = 0
    generic_blank: int = 0
    label_blank: int = 0
    not_noun_blank: int = 0
    visible_blank: int = 0
    items: int = 0
    dangling: int = 0
    no_sentence_end: int = 0
    questions: int = 0
    bad_distractor: int = 0

    def shares(self) -> dict[str, float]:
        share = lambda part, whole: round(part / whole, 3) if whole else 0.0  # noqa: E731
        return {
            "blank_generic": share(self.generic_blank, self.clozes),
            "blank_label": share(self.label_blank, self.clozes),
            "blank_not_noun": share(self.not_noun_blank, self.clozes),
            "blank_visible": share(self.visible_blank, self.clozes),
            "dangling_start": share(self.dangling, self.items),
            "no_sentence_end": share(self.no_sentence_end, self.items),
            "bad_distractor": share(self.bad_distractor, self.questions),
        }


def _language(language: str) -> str:
    return "de" if language == "de" else "en"


def _stem5(word: str) -> str:
    return word.casefold()[:5]


def _blank_defects(sentence: str, answer: str, language: str, defects: Defects) -> None:
    lang = _language(language)
    words = re.findall(r"[^\W\d_][\w-]*", answer)
    if not words:
        defects.not_noun_blank += 1
        return
    defects.generic_blank += zipf(answer, lang) >= GENERIC_ZIPF
    defects.label_blank += words[-1].casefold() in LABELS
    if lang == "de":
        defects.not_noun_blank += not words[-1][:1].isupper()
    else:
        tokens = [t for t in tag(sentence, lang) if answer.endswith(t.text) or t.text == words[-1]]
        defects.not_noun_blank += not any(is_noun(t, lang) for t in tokens)
    start = sentence.find(answer)
    rest = (sentence[:start] + " " + sentence[start + len(answer) :]) if start >= 0 else sentence
    defects.visible_blank += any(len(w) >= 4 and _stem5(w) in rest.casefold() for w in words)


def _sentence_defects(text: str, defects: Defects) -> None:
    defects.items += 1
    first = re.findall(r"[^\W\d_]+", text[:40])
    defects.dangling += bool(first) and first[0].casefold() in DANGLING
    defects.no_sentence_end += text.rstrip()[-1:] not in '.!?)”“"'


def _option_bad(option: str, options: list[str], language: str) -> bool:
    lang = _language(language)
    words = re.findall(r"[^\W\d_][\w-]*", option)
    if not words or words[-1].casefold() in LABELS:
        return True
    tokens = [t for t in tag(option, lang) if t.text[0].isalnum()]
    if not tokens or (len(tokens) <= 2 and any(is_name(t, lang) for t in tokens)):
        return True
    if lang == "de" and not words[-1][:1].isupper():
        return True
    if lang != "de" and not is_noun(tokens[-1], lang) and not option.isupper():
        return True
    others = [o for o in options if o is not option]
    return any(_stem5(w) in {_stem5(x) for o in others for x in o.split()} for w in option.split() if len(w) >= 4)


def measure(cards: list[FlashcardDraft], questions: list[QuestionDraft], language: str) -> Defects:
    defects = Defects()
    for card in cards:
        if card.kind == "cloze":
            match = CLOZE.search(card.front)
            sentence = cloze_sentence(card.front)
            if match:
                defects.clozes += 1
                _blank_defects(sentence, match.group(1), language, defects)
            _sentence_defects(sentence, defects)
        else:
            _sentence_defects(card.back, defects)
    for question in questions:
        answer = question.options[question.correct_index]
        defects.questions += 1
        if _BLANK in question.stem:
            sentence = question.stem.split(": ", 1)[-1].replace(_BLANK, answer)
            defects.clozes += 1
            _blank_defects(sentence, answer, language, defects)
            _sentence_defects(sentence, defects)
        else:
            defects.items += 1
        wrong = [o for i, o in enumerate(question.options) if i != question.correct_index]
        defects.bad_distractor += any(_option_bad(o, question.options, language) for o in wrong)
    return defects
