"""Extraction per format, and the guards that keep the worker alive."""

from __future__ import annotations

import faulthandler
import os
import signal
import time
from pathlib import Path

import pytest

from core.errors import PermanentError
from core.language import detect_language
from core.worker import guard
from core.worker.guard import run_guarded
from uploads.extraction import extract
from uploads.tests import documents


def write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def failure_code(path: str, kind: str) -> str:
    with pytest.raises(PermanentError) as excinfo:
        run_guarded(extract, path, kind, 500, timeout=30, memory_mb=512)
    return excinfo.value.code


def test_a_pdf_gives_text_per_page_with_headings_from_the_outline(tmp_path):
    document = extract(write(tmp_path, "a.pdf", documents.make_pdf(title="Vectors")), "pdf", 500)
    assert document.page_count == 3
    assert document.title == "Vectors"
    headings = [s for s in document.sections if s.heading_level]
    assert [(h.text, h.page) for h in headings] == [
        ("Vectors and scalars", 1),
        ("Operations on vectors", 2),
        ("Coordinate systems", 3),
    ]
    body = next(s for s in document.sections if s.page == 2 and not s.heading_level)
    assert "The dot product is an operation" in body.text
    assert body.heading_path == "Operations on vectors"


def test_without_an_outline_headings_come_from_font_size(tmp_path):
    document = extract(write(tmp_path, "a.pdf", documents.make_pdf(outline=False)), "pdf", 500)
    assert [s.text for s in document.sections if s.heading_level == 1] == [
        "Vectors and scalars",
        "Operations on vectors",
        "Coordinate systems",
    ]


def test_an_encrypted_pdf_fails_as_password_protected(tmp_path):
    assert failure_code(write(tmp_path, "a.pdf", documents.make_encrypted_pdf()), "pdf") == "pdf_encrypted"


def test_an_image_only_pdf_fails_as_having_no_text_layer(tmp_path):
    assert failure_code(write(tmp_path, "a.pdf", documents.make_image_only_pdf()), "pdf") == "pdf_no_text_layer"


def test_garbage_with_a_pdf_header_is_not_a_readable_pdf(tmp_path):
    path = write(tmp_path, "a.pdf", b"%PDF-1.7\n" + os.urandom(2000))
    assert failure_code(path, "pdf") == "pdf_unreadable"


def test_a_docx_gives_headings_paragraphs_and_tables(tmp_path):
    document = extract(write(tmp_path, "a.docx", documents.make_docx()), "docx", 500)
    assert [s.text for s in document.sections if s.heading_level] == [
        "Vectors and scalars",
        "Operations on vectors",
        "Coordinate systems",
    ]
    assert any(s.text == "Term | Meaning\nScalar | Only a magnitude" for s in document.sections)
    paragraph = next(s for s in document.sections if s.text.startswith("A scalar"))
    assert paragraph.heading_path == "Vectors and scalars"
    assert paragraph.paragraph_index is not None


def test_a_docx_without_heading_styles_uses_bold_short_lines(tmp_path):
    document = extract(write(tmp_path, "a.docx", documents.make_docx(heading_styles=False)), "docx", 500)
    assert [s.text for s in document.sections if s.heading_level][:2] == [
        "Vectors and scalars",
        "Operations on vectors",
    ]


def test_a_pptx_gives_titles_text_and_speaker_notes_with_slide_numbers(tmp_path):
    document = extract(write(tmp_path, "a.pptx", documents.make_pptx()), "pptx", 500)
    assert document.page_count == 3
    assert ("Coordinate systems", 3, 1) in [(s.text, s.page, s.heading_level) for s in document.sections]
    assert any(s.page == 2 and s.text == "Speaker notes about operations on vectors." for s in document.sections)


def test_markdown_headings_become_sections_and_cp1252_text_is_decoded(tmp_path):
    document = extract(write(tmp_path, "a.md", documents.make_markdown()), "md", 500)
    assert [s.text for s in document.sections if s.heading_level == 1][:1] == ["Vectors and scalars"]
    text = "Grüße aus Köln. " * 30
    plain = extract(write(tmp_path, "a.txt", text.encode("cp1252")), "txt", 500)
    assert plain.sections[0].text.startswith("Grüße aus Köln.")


def test_a_zip_bomb_is_refused_before_python_docx_opens_it(tmp_path):
    assert failure_code(write(tmp_path, "a.docx", documents.make_zip_bomb()), "docx") == "zip_bomb"


def test_too_little_text_is_no_readable_text(tmp_path):
    assert failure_code(write(tmp_path, "a.txt", b"Just a line."), "txt") == "no_readable_text"


def test_language_detection():
    assert detect_language(" ".join(documents.DE_PAGES)) == "de"
    assert detect_language(" ".join(documents.EN_PAGES)) == "en"
    assert detect_language("1234 5678 ∑∫ 42") == "other"


def _crash() -> None:
    faulthandler.disable()  # pytest's traceback dump would only be noise: the crash is the point
    os.kill(os.getpid(), signal.SIGSEGV)


def _hog_memory() -> bytes:
    return b"x" * (2 * 1024 * 1024 * 1024)


def _hang() -> None:
    time.sleep(60)


def _spin(seconds: float) -> int:
    until = time.process_time() + seconds
    while time.process_time() < until:
        pass
    return os.getpid()


@pytest.fixture(params=["one child per job", "children kept"])
def kept(request):
    """As the web process runs jobs (a child each) and as a worker does (children kept)."""
    keep = 2 if request.param == "children kept" else 0
    guard.helpers_keep(keep)
    yield keep
    guard.helpers_keep(0)
    guard.helpers_stop()


def _pid() -> int:
    return os.getpid()


@pytest.mark.parametrize(
    ("func", "code"),
    [(_crash, "extraction_crashed"), (_hog_memory, "extraction_too_big"), (_hang, "extraction_timeout")],
)
def test_a_crashing_hogging_or_hanging_extraction_kills_only_the_child(func, code, kept):
    assert run_guarded(len, "warm", timeout=5, memory_mb=256) == 4
    started = time.monotonic()
    with pytest.raises(PermanentError) as excinfo:
        run_guarded(func, timeout=3, memory_mb=256)
    assert excinfo.value.code == code
    assert time.monotonic() - started < 10
    assert run_guarded(len, "still alive", timeout=5, memory_mb=256) == 11


def _terminated() -> None:
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(5)


def test_a_child_stopped_by_sigterm_is_a_job_to_retry_not_a_broken_file(kept):
    """A restart signals the worker's whole process group: the document in a child then is not
    failed as broken but retried (a transient error for the actor)."""
    with pytest.raises(guard.ChildStopped):
        run_guarded(_terminated, timeout=10, memory_mb=256)
    assert run_guarded(len, "next", timeout=5, memory_mb=256) == 4


_kept_by_a_job: list[bytes] = []


def _keep_memory(megabytes: int) -> int:
    _kept_by_a_job.append(os.urandom(megabytes * 1024 * 1024))
    return os.getpid()


def test_a_kept_child_that_grew_is_replaced(kept):
    """Memory a job leaves behind (fragments, caches, a leak) is not kept beside the worker."""
    pids = [run_guarded(_keep_memory, size, timeout=10, memory_mb=256) for size in (1, guard.HELPER_PRIVATE_MB + 8)]
    assert len(set(pids)) == (1 if kept else 2)
    time.sleep(10 * guard.IDLE_SECONDS)  # the child looks at its memory once it waits for work
    assert run_guarded(_pid, timeout=10, memory_mb=256) not in pids


def test_each_job_of_a_kept_child_has_its_own_cpu_limit(kept):
    """The CPU limit is the job's, not the child's: CPU seconds used by earlier jobs do not count."""
    pids = {run_guarded(_spin, 1.2, timeout=10, memory_mb=256) for _ in range(2)}
    pids.add(run_guarded(_spin, 0.2, timeout=1, memory_mb=256))  # limit 2 CPU s, 2.4 s used before
    assert len(pids) == (1 if kept else 3)
    with pytest.raises(PermanentError) as excinfo:
        run_guarded(_spin, 30, timeout=1, memory_mb=256)
    assert excinfo.value.code == "extraction_timeout"


def test_a_kept_child_serves_the_next_jobs_and_a_failed_job_retires_it(kept, tmp_path):
    pids = [run_guarded(_pid, timeout=5, memory_mb=256) for _ in range(3)]
    assert len(set(pids)) == (1 if kept else 3)
    assert failure_code(write(tmp_path, "a.txt", b"Just a line."), "txt") == "no_readable_text"
    assert run_guarded(_pid, timeout=5, memory_mb=256) not in pids
    assert len(guard._idle) == min(kept, 1)


def test_xml_entity_expansion_is_not_performed(tmp_path):
    path = write(tmp_path, "a.docx", documents.make_billion_laughs_docx())
    try:
        document = run_guarded(extract, path, "docx", 500, timeout=30, memory_mb=512)
    except PermanentError as exc:
        assert exc.code in ("docx_unreadable", "no_readable_text")
    else:
        assert "lollol" not in " ".join(s.text for s in document.sections)


def test_a_beamer_pdf_without_outline_keeps_the_spaces_between_its_words(tmp_path):
    """Spaces that are spans of their own (Beamer, TeX) were dropped: "WieAttributewählen?"."""
    document = extract(write(tmp_path, "slides.pdf", documents.make_beamer_pdf()), "pdf", 500)
    text = "\n".join(section.text for section in document.sections)
    assert "Wie Attribute wählen?" in text
    assert "Der Informationsgewinn misst die Abnahme der Entropie nach einer Aufteilung." in text
    assert [(s.text, s.page) for s in document.sections if s.heading_level] == [
        ("Entscheidungsbäume", 1),
        ("Entropie", 2),
        ("Überanpassung", 3),
    ]
    assert detect_language(text) == "de"


def test_a_paragraphs_lines_are_joined_and_its_bullets_become_lines_of_their_own():
    from uploads.extraction import join_lines

    lines = [
        "Eine Warte-",
        "schlange ist ein System, in dem Kunden",
        "auf Bedienung warten. • Ein Bediener arbeitet die Schlange ab. • Die Disziplin legt die",
        "Reihenfolge fest.",
        "- Ein Kunde verlässt das System nach der Bedienung.",
    ]
    assert join_lines(lines).split("\n") == [
        "Eine Warteschlange ist ein System, in dem Kunden auf Bedienung warten.",
        "Ein Bediener arbeitet die Schlange ab.",
        "Die Disziplin legt die Reihenfolge fest.",
        "- Ein Kunde verlässt das System nach der Bedienung.",
    ]


WORDS = "null ersten zweiten dritten vierten fünften sechsten siebten achten neunten zehnten elften zwölften".split()


def test_a_chapter_s_numbered_running_header_leaves_the_text(tmp_path):
    """A script whose header names the chapter and the page ("ABSCHÄTZUNGEN UND NÄHERUNGEN 19")
    on that chapter's pages only: fewer than 40 % of all pages, yet no sentence of the text."""
    import pymupdf

    document = pymupdf.open()
    for number in range(1, 13):
        page = document.new_page()
        header = f"KAPITEL {number}. GRUNDLAGEN" if number <= 8 else f"ABSCHÄTZUNGEN UND NÄHERUNGEN {number}"
        page.insert_text((72, 40), header, fontsize=9)
        page.insert_text(
            (72, 120), f"Die Wartezeit hängt im {WORDS[number]} Modell von der Auslastung ab.", fontsize=11
        )
    path = write(tmp_path, "skript.pdf", document.tobytes())
    text = "\n".join(s.text for s in extract(path, "pdf", 500).sections)
    assert "NÄHERUNGEN" not in text and "KAPITEL" not in text
    assert text.count("Die Wartezeit hängt im") == 12


def test_a_long_docx_is_read_as_a_stream_in_flat_memory(tmp_path, settings):
    """20 MB of document XML: python-docx's tree needed about 4 bytes a byte (a 262 MB document took
    966 MB); read as a stream, the child stays within 100 MB more than it started with."""
    from bench.documents import docx_low_ratio_bomb

    settings.ZIP_MAX_XML_MB = 64
    path = write(tmp_path, "long.docx", docx_low_ratio_bomb(xml_mb=20))
    document = run_guarded(extract, path, "docx", 500, timeout=60, memory_mb=100)
    assert len(document.sections) > 1000
    assert sum(len(s.text) for s in document.sections) > 5_000_000 * 0.9  # EXTRACTION_MAX_CHARS taken


def test_a_docx_is_read_for_at_most_extraction_max_chars(tmp_path, settings):
    from uploads.extraction.docx import extract_docx

    settings.EXTRACTION_MAX_CHARS = 200
    path = write(tmp_path, "d.docx", documents.make_docx(documents.DE_PAGES))
    text = "".join(s.text for s in extract_docx(path, max_pages=500).sections)
    assert 200 <= len(text) < 200 + 400  # the block that crosses the limit is the last one taken
