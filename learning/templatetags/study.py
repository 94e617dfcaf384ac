from __future__ import annotations

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from core.cloze import CLOZE, cloze_answers, cloze_blanked
from core.sources import source_label
from learning.generation.text import normalize

register = template.Library()


@register.filter
def cloze_front(text: str) -> str:
    """A cloze card's front as the student sees it: the term blanked."""
    return cloze_blanked(text)


@register.filter
def cloze_full(text: str) -> SafeString:
    """A cloze card's back: the whole sentence with the answer highlighted where the gap was."""
    parts, last = [], 0
    for match in CLOZE.finditer(text):
        parts += [escape(text[last : match.start()]), format_html('<mark class="answer">{}</mark>', match.group(1))]
        last = match.end()
    parts.append(escape(text[last:]))
    return mark_safe("".join(parts))  # noqa: S308 - every part is escaped above


@register.filter
def cloze_extra(card: object) -> str:
    """What a cloze card's back adds to its sentence: nothing when it only repeats the hidden term
    (as generated cards do), else the student's own note."""
    back = getattr(card, "back", "") or ""
    answers = {normalize(answer) for answer in cloze_answers(getattr(card, "front", ""))}
    return "" if normalize(back) in answers or not back.strip() else back


register.filter("source_label", source_label)


@register.filter
def option_letter(index: int) -> str:
    return "ABCD"[index] if 0 <= index < 4 else "?"


@register.inclusion_tag("learning/_bar_chart.html")
def bar_chart(series: list, label: str, height: int = 80) -> dict:
    """Days as bars, drawn on the server as SVG: no chart library, no CDN."""
    peak = max((day.count for day in series), default=0) or 1
    step = 300 / max(len(series), 1)
    bars = []
    for index, day in enumerate(series):
        bar_height = round(day.count / peak * (height - 14), 1)
        bars.append(
            {
                "x": round(index * step + 1, 1),
                "y": round(height - bar_height, 1),
                "width": round(max(step - 2, 1), 1),
                "height": bar_height,
                "count": day.count,
                "day": day.day,
            }
        )
    empty = not any(day.count for day in series)
    return {"bars": bars, "label": label, "height": height, "peak": 0 if empty else peak, "empty": empty}


@register.filter
def percent(value: float | None) -> str:
    return "–" if value is None else f"{round(value * 100)} %"
