"""The extracted sections in the Redis cache, so the generation stages read them without the database."""

from __future__ import annotations

import json

from django.conf import settings
from django.core.cache import cache

from uploads.models import Section


def text_cache_key(upload_id: int) -> str:
    return f"extracted_text:{upload_id}"


def _section_payload(section: Section) -> dict:
    return {
        "order": section.order,
        "text": section.text,
        "page": section.page,
        "heading_path": section.heading_path,
        "heading_level": section.heading_level,
    }


def cache_sections(upload_id: int, sections: list[Section]) -> None:
    payload = json.dumps([_section_payload(section) for section in sections])
    cache.set(text_cache_key(upload_id), payload, timeout=settings.EXTRACTED_TEXT_TTL_SECONDS)


def sections_load(upload_id: int) -> list[dict]:
    """The extracted sections: from the Redis cache, or the database on a miss."""
    cached = cache.get(text_cache_key(upload_id))
    if cached is not None:
        return json.loads(cached)
    sections = list(Section.objects.filter(upload_id=upload_id).order_by("order"))
    cache_sections(upload_id, sections)
    return [_section_payload(section) for section in sections]


def sections_forget(upload_id: int) -> None:
    cache.delete(text_cache_key(upload_id))
