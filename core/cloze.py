"""A cloze card's gap, written as Anki writes it: `{{c1::term}}` (an optional `::hint` after the term)."""

from __future__ import annotations

import re

CLOZE = re.compile(r"\{\{c\d+::(.+?)(?:::[^}]*)?\}\}")


def cloze_mark(text: str, start: int, end: int) -> str:
    """`text` with its characters start:end as the gap."""
    return text[:start] + "{{c1::" + text[start:end] + "}}" + text[end:]


def cloze_sentence(front: str) -> str:
    """The sentence with every gap filled by its answer."""
    return CLOZE.sub(r"\1", front)


def cloze_answers(front: str) -> list[str]:
    return CLOZE.findall(front)


def cloze_blanked(front: str, blank: str = "[…]") -> str:
    return CLOZE.sub(blank, front)
