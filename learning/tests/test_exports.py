"""Exports: the .apkg opens as Anki's SQLite collection with our notes; CSV holds cards and questions."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import zipfile
from pathlib import Path

import pytest

from learning.exports import BASIC_MODEL_ID, CLOZE_MODEL_ID, deck_id
from learning.tests.factories import FlashcardFactory, QuestionFactory, TopicFactory
from uploads.tests.factories import UploadFactory

pytestmark = pytest.mark.django_db


def read_collection(data: bytes, folder: Path) -> sqlite3.Connection:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        assert set(package.namelist()) == {"collection.anki2", "media"}
        package.extract("collection.anki2", folder)
    return sqlite3.connect(folder / "collection.anki2")


@pytest.fixture
def material(user):
    upload = UploadFactory(owner=user, title="Warteschlangen")
    topic = TopicFactory(upload=upload, title="Satz von Little")
    basic = FlashcardFactory(
        upload=upload, topic=topic, front="Was besagt der Satz von Little?", back="L = λ·W", source_page=7
    )
    cloze = FlashcardFactory(
        upload=upload, kind="cloze", front="Die {{c1::Auslastung}} ist λ/μ.", back="", source_page=3
    )
    question = QuestionFactory(upload=upload, topic=topic, options=["=1+1", "B", "C", "D"], correct_index=0)
    return upload, basic, cloze, question


def test_the_apkg_opens_as_an_anki_collection_with_our_notes_and_fields(auth_client, material, tmp_path):
    upload = material[0]
    response = auth_client.get(f"/api/v1/uploads/{upload.pk}/export.apkg")
    assert response.status_code == 200 and response["Content-Type"] == "application/apkg"
    assert 'filename="Warteschlangen.apkg"' in response["Content-Disposition"]
    db = read_collection(response.content, tmp_path / "first")
    notes = {row[0]: row for row in db.execute("select mid, flds, tags, guid from notes")}
    assert set(notes) == {BASIC_MODEL_ID, CLOZE_MODEL_ID}
    front, back, source, snippet = notes[BASIC_MODEL_ID][1].split("\x1f")
    assert (front, back, source, snippet) == (
        "Was besagt der Satz von Little?",
        "L = λ·W",
        "p. 7",
        "Term: its definition.",
    )
    assert "Satz_von_Little" in notes[BASIC_MODEL_ID][2].split()
    assert notes[CLOZE_MODEL_ID][1].split("\x1f")[0] == "Die {{c1::Auslastung}} ist λ/μ."
    models = json.loads(db.execute("select models from col").fetchone()[0])
    assert models[str(CLOZE_MODEL_ID)]["type"] == 1  # Anki's cloze note type
    decks = json.loads(db.execute("select decks from col").fetchone()[0])
    assert decks[str(deck_id(upload))]["name"] == "HackTheStudy::Warteschlangen"
    assert db.execute("select count(*) from cards").fetchone()[0] == 2
    guids = {row[3] for row in notes.values()}

    again = read_collection(auth_client.get(f"/api/v1/uploads/{upload.pk}/export.apkg").content, tmp_path / "again")
    assert {row[0] for row in again.execute("select guid from notes")} == guids  # re-import updates, not duplicates


def test_the_csv_holds_cards_and_questions_and_defuses_formulas(auth_client, material):
    upload, basic, _cloze, question = material
    response = auth_client.get(f"/api/v1/uploads/{upload.pk}/export.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r["type"] for r in rows] == ["flashcard", "flashcard", "question"]
    assert (rows[0]["front"], rows[0]["back"], rows[0]["page"], rows[0]["topic"]) == (
        basic.front,
        basic.back,
        "7",
        "Satz von Little",
    )
    assert rows[2]["option_a"] == "'=1+1" and rows[2]["correct"] == "A" and rows[2]["front"] == question.stem


def test_another_students_export_is_a_404(auth_client):
    other = UploadFactory()
    FlashcardFactory(upload=other)
    for fmt in ("apkg", "csv"):
        response = auth_client.get(f"/api/v1/uploads/{other.pk}/export.{fmt}")
        assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
