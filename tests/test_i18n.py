"""German ships complete: every string of the code and templates has a German translation."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings

PO = Path(settings.BASE_DIR) / "hackthestudy" / "locale" / "de" / "LC_MESSAGES" / "django.po"


def read_ids(path: Path) -> dict[str, object]:
    with path.open("rb") as handle:
        return {message.id: message for message in read_po(handle) if message.id}


def test_every_german_entry_is_translated_and_not_fuzzy():
    messages = read_ids(PO)
    assert len(messages) > 40
    untranslated = [m.id for m in messages.values() if not m.string or m.fuzzy]
    assert untranslated == []


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext (xgettext) is not installed")
def test_the_catalog_holds_every_string_of_the_code(tmp_path):
    base = Path(settings.BASE_DIR)
    ignore = shutil.ignore_patterns(".venv", ".git", "staticfiles", "media", ".run", "__pycache__", "*.sqlite3")
    copy = tmp_path / "project"
    shutil.copytree(base, copy, ignore=ignore)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "--locale", "de", "--no-obsolete", "-v", "0"],
        cwd=copy,
        check=True,
        env={"DEBUG": "True", "PATH": "/usr/bin:/bin", "REDIS_URL": settings.REDIS_URL},
    )
    fresh = read_ids(copy / PO.relative_to(base))
    missing = sorted(set(fresh) - set(read_ids(PO)), key=str)
    assert missing == [], "run `make messages` and translate these"
