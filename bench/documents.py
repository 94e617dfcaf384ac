"""Inputs the benchmark makes itself: a 300-page text PDF, an ~800,000-character DOCX, a 49 MB PDF,
and small distinct lectures for the throughput run."""

from __future__ import annotations

import os
import random

import pymupdf

from uploads.tests import documents

WORDS = (
    "Warteschlange Ankunftsrate Bedienrate Kunde System Auslastung Erwartungswert Verteilung Markov Kette "
    "Zustand Übergang Wahrscheinlichkeit Prozess Modell Durchsatz Wartezeit Puffer Schalter Ankunft "
    "Stationarität Littles Gesetz Exponentialverteilung Poissonprozess Bediener Kapazität Verlust"
).split()


def _sentences(rng: random.Random, count: int) -> str:
    out = []
    for _ in range(count):
        term = rng.choice(WORDS)
        out.append(f"{term} ist " + " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 16))) + ".")
    return " ".join(out)


def lecture(seed: int, pages: int, sentences: int = 8) -> list[str]:
    rng = random.Random(seed)
    return [f"Kapitel {page + 1}: {rng.choice(WORDS)}\n{_sentences(rng, sentences)}" for page in range(pages)]


def pdf_300_pages(seed: int = 300) -> bytes:
    return documents.make_pdf(lecture(seed, 300, sentences=14))


def docx_800k(seed: int = 800) -> bytes:
    """About 800,000 characters: 290 headed pages of about 2,800 characters."""
    rng = random.Random(seed)
    pages = [f"Abschnitt {n + 1}\n" + "\n".join(_sentences(rng, 4) for _ in range(5)) for n in range(290)]
    return documents.make_docx(pages)


def pdf_of_size(megabytes: float, seed: int) -> bytes:
    """A real text PDF carrying random bytes as an attachment, so it weighs what the test needs."""
    document = pymupdf.open(stream=documents.make_pdf(lecture(seed, 3)), filetype="pdf")
    document.embfile_add("data.bin", os.urandom(int(megabytes * 1024 * 1024)))
    return document.tobytes()


def lecture_pdf(seed: int, pages: int) -> bytes:
    return documents.make_pdf(lecture(seed, pages))


def docx_low_ratio_bomb(xml_mb: int = 262, seed: int = 26) -> bytes:
    """The probe's DOCX: about `xml_mb` MB of document XML at a compression ratio near 10, under the
    ZIP checks' 300 MB / 200:1 limits (26 MB on disk)."""
    import io
    import string
    import zipfile

    rng = random.Random(seed)
    original = io.BytesIO(documents.make_docx(lecture(seed, 1)))
    words = ["".join(rng.choices(string.ascii_lowercase, k=rng.randint(3, 9))) for _ in range(64)]
    run = (
        '<w:r><w:rPr><w:rFonts w:ascii="Calibri" w:hAnsi="Calibri"/><w:lang w:val="de-DE"/></w:rPr>'
        '<w:t xml:space="preserve">{}</w:t></w:r>'
    )
    chunk = "".join(  # Word's own markup around short runs: deflate gets about 10:1 from it
        '<w:p><w:pPr><w:spacing w:after="120"/></w:pPr>'
        + "".join(run.format(" ".join(rng.choice(words) for _ in range(10))) for _ in range(4))
        + "</w:p>"
        for _ in range(2000)
    ).encode()
    bloated = io.BytesIO()
    with zipfile.ZipFile(original) as source, zipfile.ZipFile(bloated, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "word/document.xml":
                head, tail = data.split(b"</w:body>")
                with target.open(item.filename, "w", force_zip64=True) as part:
                    part.write(head)
                    for _ in range(xml_mb * 1024 * 1024 // len(chunk)):
                        part.write(chunk)
                    part.write(b"</w:body>" + tail)
            else:
                target.writestr(item, data)
    return bloated.getvalue()
