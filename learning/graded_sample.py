"""The graded sample: what a tutor reads, and the useful share their grades give.

`make eval EVAL_ARGS="--sample LABEL"` draws a seeded random sample of each document's items
(as the API returns them, after the gates) into `bench/results/sample-<provider>-<LABEL>.json`.
A grader who has not seen the code marks every item against `../shared/QUALITY.md`'s rubric
(C1 to C5, a note for each failure) and the verdicts are stored beside the items as
`bench/results/grades-<provider>-<date>[-<label>].json`. `make eval` prints the useful share of the
latest grades file per language, for cards and for questions: the figure that counts, since the
automatic columns are proxies.
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from pathlib import Path

from learning.generation.drafts import FlashcardDraft, QuestionDraft, SourceSection

SAMPLE_CARDS, SAMPLE_QUESTIONS = 15, 10
PAGE_TEXT_CHARS = 2500
CRITERIA = ("C1", "C2", "C3", "C4", "C5")


def _where(sections: dict[int, SourceSection], order: int) -> str:
    section = sections.get(order)
    if section is None:
        return ""
    return f"p. {section.page}" if section.page is not None else (section.heading_path or "(no heading)")


def _page_text(sections: dict[int, SourceSection], order: int) -> str:
    """The cited page's text (or the cited section's heading stretch), for checking C1."""
    section = sections.get(order)
    if section is None:
        return ""
    if section.page is not None:
        same = [s.text for s in sections.values() if s.page == section.page]
    else:
        same = [s.text for s in sections.values() if s.heading_path == section.heading_path]
    return "\n".join(same)[:PAGE_TEXT_CHARS]


def sample_items(
    document: str,
    language: str,
    sections: list[SourceSection],
    cards: list[FlashcardDraft],
    questions: list[QuestionDraft],
    seed: int,
) -> list[dict]:
    """A seeded random sample of one document's items, each with its full text and its cited page."""
    by_order = {s.order: s for s in sections}
    rng = random.Random(f"{seed}:{document}")  # noqa: S311 - a reproducible sample, not crypto
    picked_cards = rng.sample(range(len(cards)), min(SAMPLE_CARDS, len(cards)))
    picked_questions = rng.sample(range(len(questions)), min(SAMPLE_QUESTIONS, len(questions)))

    def item(item_type: str, n: int, order: int, snippet: str, **text: object) -> dict:
        where = {"cited": _where(by_order, order), "source": snippet, "page_text": _page_text(by_order, order)}
        return {
            "id": f"{document}#{item_type}{n}",
            "document": document,
            "language": language,
            "type": item_type,
            **text,
            **where,
        }

    items = [
        item("card", n, c.section_order, c.snippet, kind=c.kind, front=c.front, back=c.back)
        for n, c in ((n, cards[n]) for n in sorted(picked_cards))
    ]
    items += [
        item(
            "question",
            n,
            q.section_order,
            q.snippet,
            stem=q.stem,
            options=q.options,
            answer=q.options[q.correct_index],
            explanation=q.explanation,
        )
        for n, q in ((n, questions[n]) for n in sorted(picked_questions))
    ]
    return items


def latest_grades(results: Path, provider: str) -> Path | None:
    files = sorted(results.glob(f"grades-{provider}-*.json"), key=lambda p: (json.loads(p.read_text())["date"], p.name))
    return files[-1] if files else None


def useful_rates(grades: dict) -> dict[str, dict[str, tuple[int, int]]]:
    """{language: {"card"|"question": (useful, graded)}} plus an "all" language."""
    rates: dict[str, dict[str, list[int]]] = defaultdict(lambda: {"card": [0, 0], "question": [0, 0]})
    for item in grades["items"]:
        for language in (item["language"], "all"):
            counts = rates[language][item["type"]]
            counts[0] += bool(item["useful"])
            counts[1] += 1
    return {lang: {kind: (v[0], v[1]) for kind, v in kinds.items()} for lang, kinds in rates.items()}


def rates_table(grades: dict) -> str:
    lines = [
        f"Graded sample ({grades['date']}, {grades.get('label', '')}; {grades.get('grader', '')}):",
        "| language | cards useful | questions useful |",
        "|---|---|---|",
    ]
    for language, kinds in sorted(useful_rates(grades).items()):
        cells = []
        for kind in ("card", "question"):
            useful, graded = kinds[kind]
            cells.append(f"{useful}/{graded} = {100 * useful / graded:.0f} %" if graded else "–")
        lines.append(f"| {language} | {cells[0]} | {cells[1]} |")
    return "\n".join(lines)
