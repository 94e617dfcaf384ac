"""DOCX and PPTX are ZIP files: look at the central directory before any reader opens one.

python-docx and python-pptx read whole entries with no cap, so a 1 MB file that unpacks to
1 GiB would exhaust memory. Entry count, total size and compression ratio give it away.
"""

from __future__ import annotations

import html
import re
import zipfile
from typing import IO

from django.conf import settings

from core.errors import PermanentError

MAIN_PARTS = {"docx": "word/document.xml", "pptx": "ppt/presentation.xml"}


def check_zip(source: str | IO[bytes]) -> list[str]:
    """The entry names; raises PermanentError for a broken ZIP or a bomb."""
    try:
        with zipfile.ZipFile(source) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise PermanentError("zip_unreadable", str(exc)) from exc
    if len(infos) > settings.ZIP_MAX_ENTRIES:
        raise PermanentError("zip_bomb", f"{len(infos)} entries")
    total = sum(info.file_size for info in infos)
    if total > settings.ZIP_MAX_UNCOMPRESSED_MB * 1024 * 1024:
        raise PermanentError("zip_bomb", f"{total} bytes uncompressed")
    for info in infos:
        if info.file_size > 1024 * 1024 and info.file_size > settings.ZIP_MAX_RATIO * max(info.compress_size, 1):
            raise PermanentError("zip_bomb", f"{info.filename} ratio {info.file_size / max(info.compress_size, 1):.0f}")
    xml = sum(info.file_size for info in infos if info.filename.endswith(".xml"))
    if xml > settings.ZIP_MAX_XML_MB * 1024 * 1024:
        raise PermanentError("document_too_big", f"{xml} bytes of XML")
    return [info.filename for info in infos]


_TITLE = re.compile(rb"<dc:title>([^<]{1,300})</dc:title>")
MAX_CORE_XML_BYTES = 256 * 1024


def core_title(archive: zipfile.ZipFile) -> str:
    """The title in docProps/core.xml, XML-decoded ("&lt;svg&gt;" is the text "<svg>"), or ""."""
    try:
        info = archive.getinfo("docProps/core.xml")
    except KeyError:
        return ""
    if info.file_size > MAX_CORE_XML_BYTES:
        return ""
    match = _TITLE.search(archive.read(info))
    return " ".join(html.unescape(match.group(1).decode("utf-8", "replace")).split()) if match else ""
