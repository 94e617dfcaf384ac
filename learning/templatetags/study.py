from __future__ import annotations

import re

from django import template
from django.utils.translation import gettext as _

register = template.Library()
_CLOZE = re.compile(r"\{\{c\d+::(.+?)(?:::[^}]*)?\}\}")


@register.filter
def cloze_front(text: str) -> str:
    """A cloze card's front as the student sees it: the term blanked."""
    return _CLOZE.sub("[…]", text)


@register.filter
def cloze_full(text: str) -> str:
    return _CLOZE.sub(r"\1", text)


@register.filter
def source_label(item: object) -> str:
    """ "p. 12", or the heading path for documents without pages."""
    page = getattr(item, "source_page", None)
    if page:
        return _("p. %(page)d") % {"page": page}
    return getattr(item, "source_location", "") or _("document")


@register.filter
def option_letter(index: int) -> str:
    return "ABCD"[index] if 0 <= index < 4 else "?"
