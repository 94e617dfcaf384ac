"""Documents made on the fly with PyMuPDF, python-docx and python-pptx, so tests need no files."""

from __future__ import annotations

import io
import zipfile

import docx
import pptx
import pymupdf

EN_PAGES = [
    "Vectors and scalars\n"
    "A vector is a quantity that has both a magnitude and a direction. "
    "A scalar is a quantity that has only a magnitude and no direction. "
    "Velocity and force are typical examples of vectors in physics, while mass and temperature are scalars.",
    "Operations on vectors\n"
    "The dot product is an operation that takes two vectors and returns a single number. "
    "The cross product is an operation that takes two vectors in space and returns a vector. "
    "Adding two vectors geometrically means placing the tail of the second vector at the head of the first vector.",
    "Coordinate systems\n"
    "A coordinate system is a way of describing every point of space with a list of numbers. "
    "In a Cartesian coordinate system the axes are perpendicular to each other and share one origin. "
    "Polar coordinates describe a point of the plane by its distance from the origin and an angle.",
]
DE_PAGES = [
    "Grundbegriffe\n"
    "Eine Warteschlange ist ein System, in dem Kunden auf eine Bedienung durch einen oder mehrere Bediener warten. "
    "Die Ankunftsrate ist die mittlere Zahl der Kunden, die pro Zeiteinheit im System ankommen. "
    "Die Bedienzeit ist die Zeit, die ein Bediener für einen einzelnen Kunden benötigt.",
    "Kenngrößen\n"
    "Die Auslastung ist das Verhältnis von Ankunftsrate und Bedienrate eines Systems. "
    "Der Satz von Little verbindet die mittlere Anzahl der Kunden mit der mittleren Verweilzeit im System. "
    "Eine stabile Warteschlange entsteht nur dann, wenn die Auslastung der Bediener kleiner als eins bleibt.",
    "Modelle\n"
    "Das Modell M/M/1 beschreibt eine Warteschlange mit exponentialverteilten Zwischenankunftszeiten. "
    "Die Disziplin einer Warteschlange bestimmt die Reihenfolge, in der die wartenden Kunden bedient werden. "
    "Bei der Disziplin FCFS werden die Kunden in der Reihenfolge ihrer Ankunft von den Bedienern bedient.",
]


def make_pdf(pages: list[str] | None = None, *, outline: bool = True, title: str = "") -> bytes:
    document = pymupdf.open()
    toc = []
    for number, text in enumerate(pages or EN_PAGES, start=1):
        page = document.new_page()
        heading, _newline, body = text.partition("\n")
        page.insert_text((72, 72), heading, fontsize=18)
        page.insert_textbox(pymupdf.Rect(72, 100, 520, 760), body, fontsize=11)
        toc.append([1, heading, number])
    if outline:
        document.set_toc(toc)
    if title:
        document.set_metadata({"title": title})
    return document.tobytes()


BEAMER_PAGES = [
    "Entscheidungsbäume\n"
    "Wie Attribute wählen?\n"
    "Ein Entscheidungsbaum klassifiziert Beispiele anhand ihrer Attribute.\n"
    "Der Informationsgewinn misst die Abnahme der Entropie nach einer Aufteilung.",
    "Entropie\n"
    "Die Entropie beschreibt die Unreinheit einer Menge von Beispielen.\n"
    "Ein reiner Knoten hat die Entropie null.\n"
    "Der Gini-Index ist eine Alternative zur Entropie.",
    "Überanpassung\n"
    "Ein tiefer Entscheidungsbaum neigt zur Überanpassung an die Trainingsdaten.\n"
    "Das Beschneiden entfernt Teilbäume, die den Fehler auf Validierungsdaten nicht senken.",
]


def make_beamer_pdf(pages: list[str] | None = None) -> bytes:
    """Slides as Beamer (TeX) writes them: no outline, titles in large type, and every space
    between two words a span of its own (set in another font), as MuPDF reports it."""
    document = pymupdf.open()
    for text in pages or BEAMER_PAGES:
        page = document.new_page(width=364, height=273)
        title, *lines = text.split("\n")
        for row, (line, size) in enumerate([(title, 16), *((line, 9) for line in lines)]):
            x, y = 20.0, 40.0 + row * 24
            for index, word in enumerate(line.split(" ")):
                if index:
                    page.insert_text((x, y), " ", fontname="cour", fontsize=size)
                    x += pymupdf.get_text_length(" ", fontname="cour", fontsize=size)
                page.insert_text((x, y), word, fontname="helv", fontsize=size)
                x += pymupdf.get_text_length(word, fontname="helv", fontsize=size)
    return document.tobytes()


def make_encrypted_pdf() -> bytes:
    document = pymupdf.open(stream=make_pdf(), filetype="pdf")
    return document.tobytes(encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="secret", owner_pw="owner")


def make_image_only_pdf(pages: int = 2) -> bytes:
    document = pymupdf.open()
    pixmap = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 64, 64), False)
    pixmap.clear_with(200)
    for _index in range(pages):
        document.new_page().insert_image(pymupdf.Rect(72, 72, 400, 400), pixmap=pixmap)
    return document.tobytes()


def make_docx(pages: list[str] | None = None, *, heading_styles: bool = True) -> bytes:
    document = docx.Document()
    for text in pages or EN_PAGES:
        heading, _newline, body = text.partition("\n")
        if heading_styles:
            document.add_heading(heading, level=1)
        else:
            document.add_paragraph().add_run(heading).bold = True
        for sentence in body.split(". "):
            document.add_paragraph(sentence.rstrip(".") + ".")
    table = document.add_table(rows=2, cols=2)
    for row, cells in zip(table.rows, (("Term", "Meaning"), ("Scalar", "Only a magnitude")), strict=True):
        for cell, text in zip(row.cells, cells, strict=True):
            cell.text = text
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def make_pptx(pages: list[str] | None = None) -> bytes:
    presentation = pptx.Presentation()
    for text in pages or EN_PAGES:
        heading, _newline, body = text.partition("\n")
        slide = presentation.slides.add_slide(presentation.slide_layouts[1])
        slide.shapes.title.text = heading
        slide.placeholders[1].text_frame.text = body
        slide.notes_slide.notes_text_frame.text = f"Speaker notes about {heading.lower()}."
    buffer = io.BytesIO()
    presentation.save(buffer)
    return buffer.getvalue()


def make_markdown(pages: list[str] | None = None) -> bytes:
    parts = []
    for text in pages or EN_PAGES:
        heading, _newline, body = text.partition("\n")
        parts.append(f"# {heading}\n\n{body}\n")
    return "\n".join(parts).encode()


def make_zip_bomb(main_part: str = "word/document.xml", size_mb: int = 400) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open(main_part, "w", force_zip64=True) as entry:
            chunk = b"\0" * (1024 * 1024)
            for _index in range(size_mb):
                entry.write(chunk)
    return buffer.getvalue()


def make_billion_laughs_docx() -> bytes:
    """A DOCX whose main part declares nested entities that would expand to gigabytes."""
    source = zipfile.ZipFile(io.BytesIO(make_docx()))
    entities = '<!ENTITY a0 "lol">' + "".join(
        f'<!ENTITY a{i} "{("&a" + str(i - 1) + ";") * 10}">' for i in range(1, 10)
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "word/document.xml":
                head, _sep, rest = data.partition(b"?>")
                data = (
                    head
                    + b"?><!DOCTYPE w:document ["
                    + entities.encode()
                    + b"]>"
                    + rest.replace(b"Vectors and scalars", b"&a9;")
                )
            target.writestr(info, data)
    return buffer.getvalue()


def make_docx_bomb(size_mb: int = 400, *, lie_about_size: bool = False) -> bytes:
    """A real DOCX whose word/document.xml runs on into `size_mb` MB of spaces (about 1 MB compressed per GB).

    With `lie_about_size` the ZIP headers claim the part is only its real XML, as a crafted bomb
    would: a check of the declared sizes lets it through, and only reading it shows the truth.
    """
    import struct
    import zlib

    part = "word/document.xml"
    source = zipfile.ZipFile(io.BytesIO(make_docx()))
    xml = source.read(part)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename != part:
                target.writestr(info, source.read(info))
        with target.open(part, "w") as entry:
            entry.write(xml)
            spaces = b" " * (1024 * 1024)
            for _index in range(size_mb):
                entry.write(spaces)
    data = bytearray(buffer.getvalue())
    if lie_about_size:
        # CRC-32 and uncompressed size sit at bytes 14 and 22 of the local header, 16 and 24 of the directory entry.
        local = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo(part).header_offset
        central = data.rindex(part.encode()) - 46
        crc, size = struct.pack("<I", zlib.crc32(xml)), struct.pack("<I", len(xml))
        data[local + 14 : local + 18], data[local + 22 : local + 26] = crc, size
        data[central + 16 : central + 20], data[central + 24 : central + 28] = crc, size
    return bytes(data)
