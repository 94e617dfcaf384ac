"""The extracted document every extractor returns, and the text clean-up they share."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

MIN_TEXT_CHARS = 200
PATH_SEPARATOR = " › "


def join_path(parts: list[str]) -> str:
    return PATH_SEPARATOR.join(parts)


@dataclass
class ExtractedSection:
    text: str
    page: int | None = None
    heading_path: str = ""
    heading_level: int = 0
    paragraph_index: int | None = None


@dataclass
class ExtractedDocument:
    sections: list[ExtractedSection] = field(default_factory=list)
    page_count: int | None = None
    title: str = ""
    image_only_pages: int = 0

    @property
    def text_chars(self) -> int:
        return sum(len(s.text) for s in self.sections)


# A run of spaces, tabs and no-break spaces becomes one space; a lone space is left as it is.
_SPACES = re.compile(r"[ \t\u00a0]{2,}|[\t\u00a0]")
_HYPHEN_BREAK = re.compile(r"(\w)-\n(\w)")


def clean_text(text: str) -> str:
    """NFKC (ligatures, odd spaces), joined hyphenated line breaks, single spaces, no control chars."""
    text = unicodedata.normalize("NFKC", text)
    if "-\n" in text:
        text = _HYPHEN_BREAK.sub(r"\1\2", text)
    # Each distinct character is looked up once (a script has a few hundred), not every character.
    controls = {ch for ch in set(text) if ch not in "\n\t" and unicodedata.category(ch)[0] == "C"}
    if controls:
        text = text.translate(dict.fromkeys(map(ord, controls)))
    return _SPACES.sub(" ", text).strip()


# A bullet opens a new line: "• a • b" on one slide line is two statements, not one sentence.
_BULLET = re.compile(r"\s*[\u2022\u25cf\u25aa\u25e6\u2023\u25a0\u25a1\u25ba\u25b8\u27a2\u2713\uf0b7\uf0a7]\s*")
_LINE_BULLET = re.compile(r"^\s*(?:[-\u2013\u2014*]|\d{1,2}[.)]|[a-z][.)])\s+")


def join_lines(lines: list[str]) -> str:
    """A paragraph's lines as running text: a PDF line break is no sentence end. Hyphenation at
    a line end is undone ("Warte-" + "schlange"), a bullet starts a line of its own."""
    out = ""
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        bullet = _LINE_BULLET.match(line) is not None or _BULLET.match(line) is not None
        if not out:
            out = line
        elif bullet:
            out += "\n" + line
        elif out[-1] == "-" and len(out) > 1 and out[-2].isalpha() and line[:1].islower():
            out = out[:-1] + line
        else:
            out += " " + line
    return split_bullets(out)


def split_bullets(text: str) -> str:
    """Every bullet sign becomes a line break (and is dropped): each item is a statement of its own."""
    if not _BULLET.search(text):
        return text
    lines = (part.strip() for line in text.split("\n") for part in _BULLET.split(line))
    return "\n".join(line for line in lines if line)


def one_line(text: str) -> str:
    return _SPACES.sub(" ", clean_text(text).replace("\n", " ")).strip()
