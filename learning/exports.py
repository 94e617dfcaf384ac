"""An upload's material for other tools: an Anki package (genanki) and a CSV file."""

from __future__ import annotations

import csv
import hashlib
import html
import io
import itertools
import json
import re
import sqlite3
import tempfile
import time
import zipfile
from pathlib import Path

import genanki
from django.http import HttpResponse
from django.utils.http import content_disposition_header

from core.sources import source_label
from learning.models import Flashcard, Question
from uploads.models import Upload

# Fixed ids: Anki recognises our note types on every import, so re-exports update instead of duplicating.
BASIC_MODEL_ID = 1_734_950_101
CLOZE_MODEL_ID = 1_734_950_102
CSS = ".card { font-family: sans-serif; font-size: 20px; } .source { color: #777; font-size: 14px; margin-top: 1em; }"
SOURCE_HTML = '<div class="source">{{Source}}{{#Snippet}} · “{{Snippet}}”{{/Snippet}}</div>'

BASIC_MODEL = genanki.Model(
    BASIC_MODEL_ID,
    "HackTheStudy Basic",
    fields=[{"name": "Front"}, {"name": "Back"}, {"name": "Source"}, {"name": "Snippet"}],
    templates=[{"name": "Card 1", "qfmt": "{{Front}}", "afmt": '{{FrontSide}}<hr id="answer">{{Back}}' + SOURCE_HTML}],
    css=CSS,
)
CLOZE_MODEL = genanki.Model(
    CLOZE_MODEL_ID,
    "HackTheStudy Cloze",
    fields=[{"name": "Text"}, {"name": "Back Extra"}, {"name": "Source"}, {"name": "Snippet"}],
    templates=[{"name": "Cloze", "qfmt": "{{cloze:Text}}", "afmt": "{{cloze:Text}}<br>{{Back Extra}}" + SOURCE_HTML}],
    css=CSS,
    model_type=genanki.Model.CLOZE,
)


def deck_id(upload: Upload) -> int:
    """Stable per upload, inside the range Anki's deck ids use."""
    digest = hashlib.sha256(f"hackthestudy-deck-{upload.pk}".encode()).digest()
    return (1 << 30) + int.from_bytes(digest[:4], "big") % (1 << 30)


def note_guid(card: Flashcard) -> str:
    return genanki.guid_for("hackthestudy", card.pk)


def topic_tag(title: str) -> str:
    return re.sub(r"[\s\"]+", "_", title.strip())[:80]


def anki_note(card: Flashcard) -> genanki.Note:
    # Both note types have the same four fields: front (or cloze text), back (extra), source, snippet.
    model = CLOZE_MODEL if card.kind == Flashcard.Kind.CLOZE else BASIC_MODEL
    fields = [html.escape(text) for text in (card.front, card.back, source_label(card), card.source_snippet[:300])]
    tags = ["HackTheStudy", *([topic_tag(card.topic.title)] if card.topic else [])]
    return genanki.Note(model=model, fields=fields, tags=tags, guid=note_guid(card))


def anki_package(upload: Upload) -> bytes:
    """The upload's cards as an .apkg: basic and cloze notes, the source page in its own field, topics as tags."""
    deck = genanki.Deck(deck_id(upload), f"HackTheStudy::{upload.title}")
    for card in Flashcard.objects.filter(upload=upload).select_related("topic").order_by("id"):
        deck.add_note(anki_note(card))
    # genanki's own write_to_file leaves its temporary database behind; this writes it in a folder that goes away.
    with tempfile.TemporaryDirectory(prefix="apkg-") as folder:
        database = Path(folder) / "collection.anki2"
        connection = sqlite3.connect(database)
        now = time.time()
        genanki.Package(deck).write_to_db(connection.cursor(), now, itertools.count(int(now * 1000)))
        connection.commit()
        connection.close()
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
            package.write(database, "collection.anki2")
            package.writestr("media", json.dumps({}))
    return out.getvalue()


CSV_COLUMNS = [
    "type",
    "kind",
    "front",
    "back",
    "option_a",
    "option_b",
    "option_c",
    "option_d",
    "correct",
    "explanation",
    "topic",
    "page",
    "source",
    "origin",
]


def _cell(value: object) -> str:
    """Spreadsheets run cells that start with = + - @ as formulas: such text is quoted with '."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv_row(item: Flashcard | Question, **values: object) -> list[object]:
    common = {
        "topic": item.topic.title if item.topic else "",
        "page": item.source_page or "",
        "source": source_label(item),
        "origin": item.origin,
    }
    return [{**common, **values}.get(column, "") for column in CSV_COLUMNS]


def csv_export(upload: Upload) -> str:
    rows = [
        _csv_row(card, type="flashcard", kind=card.kind, front=card.front, back=card.back)
        for card in Flashcard.objects.filter(upload=upload).select_related("topic").order_by("id")
    ]
    for question in Question.objects.filter(upload=upload).select_related("topic").order_by("id"):
        options = dict(zip(("option_a", "option_b", "option_c", "option_d"), question.options, strict=False))
        rows.append(
            _csv_row(
                question,
                type="question",
                kind="multiple_choice",
                front=question.stem,
                back=question.options[question.correct_index],
                correct="ABCD"[question.correct_index],
                explanation=question.explanation,
                **options,
            )
        )
    out = io.StringIO()
    out.write("\ufeff")  # Excel reads UTF-8 only with the byte-order mark
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    writer.writerows([_cell(value) for value in row] for row in rows)
    return out.getvalue()


def export_filename(upload: Upload, extension: str) -> str:
    stem = re.sub(r"[^\w.-]+", "_", upload.title, flags=re.UNICODE).strip("_") or "hackthestudy"
    return f"{stem[:80]}.{extension}"


def export_response(upload: Upload, fmt: str) -> HttpResponse:
    """The download for the web page and the API alike."""
    if fmt == "apkg":
        response = HttpResponse(anki_package(upload), content_type="application/apkg")
    else:
        response = HttpResponse(csv_export(upload), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, export_filename(upload, fmt)) or ""
    return response
