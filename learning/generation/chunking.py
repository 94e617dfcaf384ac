"""A document as chunks under a token budget, split on its pages and sections, with page markers.

Tokens are estimated, not counted: tiktoken would download its encoding files at run time.
About four characters per token holds for English and German prose with OpenAI's tokenizers;
words and punctuation are counted too so that dense formulas and short words are not underrated.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from learning.checks import document_units
from learning.generation.drafts import SourceSection

HEADING_RESERVE = 60
_TOKEN_LIKE = re.compile(r"\w+|[^\w\s]", re.UNICODE)


def estimate_tokens(text: str) -> int:
    return max(math.ceil(len(text) / 4), math.ceil(len(_TOKEN_LIKE.findall(text)) * 0.75))


@dataclass
class Chunk:
    index: int
    text: str  # sections in reading order, each page (or part) opened by its marker
    tokens: int
    markers: dict[int, list[int]] = field(default_factory=dict)  # marker number -> section orders
    paged: bool = True

    @property
    def marker_label(self) -> str:
        return "p." if self.paged else "part"

    def first_section(self, marker: int) -> int | None:
        orders = self.markers.get(marker)
        return orders[0] if orders else None

    @property
    def section_orders(self) -> list[int]:
        return [order for orders in self.markers.values() for order in orders]


def _pieces(section: SourceSection, budget: int) -> list[str]:
    """A section longer than the budget, cut between sentences (or lines, or words)."""
    if estimate_tokens(section.text) <= budget:
        return [section.text]
    pieces, current = [], ""
    for part in re.split(r"(?<=[.!?\n])\s+", section.text):
        while estimate_tokens(part) > budget:  # no sentence breaks at all: cut by characters
            pieces.append(part[: budget * 3])
            part = part[budget * 3 :]
        if current and estimate_tokens(current + " " + part) > budget:
            pieces.append(current)
            current = part
        else:
            current = f"{current} {part}".strip()
    if current:
        pieces.append(current)
    return pieces


def chunk_sections(sections: list[SourceSection], budget: int) -> list[Chunk]:
    """Whole pages (parts) together while they fit; a page over the budget on its own, cut."""
    paged = any(s.page is not None for s in sections)
    by_order = {s.order: s for s in sections}
    chunks: list[Chunk] = []
    lines: list[str] = []
    markers: dict[int, list[int]] = {}
    tokens = 0

    def close() -> None:
        nonlocal lines, markers, tokens
        if lines:
            chunks.append(Chunk(len(chunks), "\n".join(lines), tokens, markers, paged))
        lines, markers, tokens = [], {}, 0

    for unit in document_units(sections):
        number = unit.page if paged and unit.page is not None else unit.index + 1
        marker = f"[[{'p.' if paged else 'part'} {number}]]"
        for order in unit.orders:
            section = by_order[order]
            prefix = "# " if section.heading_level else ""
            for piece in _pieces(section, budget):
                cost = estimate_tokens(piece) + 2
                # A heading opens a new chunk unless some of its text fits after it.
                reserve = min(HEADING_RESERVE, budget // 4) if section.heading_level else 0
                if tokens + cost + reserve > budget:
                    close()
                if number not in markers:
                    lines.append(marker)
                    tokens += 4
                    markers[number] = []
                if order not in markers[number]:
                    markers[number].append(order)
                lines.append(prefix + piece)
                tokens += cost
    close()
    return chunks
