"""Where an item comes from, as the student reads it: on the card, in quiz feedback and in exports."""

from __future__ import annotations

from typing import Protocol

from django.utils.translation import gettext as _


class Sourced(Protocol):
    source_page: int | None
    source_location: str


def source_label(item: Sourced) -> str:
    """ "p. 12"; for a document without pages the heading path, else "document"."""
    if item.source_page:
        return _("p. %(page)d") % {"page": item.source_page}
    return item.source_location or _("document")
