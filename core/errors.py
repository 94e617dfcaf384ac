"""The project's error base: what every app raises when retrying cannot help."""

from __future__ import annotations


class PermanentError(Exception):
    """Bad input: retrying cannot help. Carries a code of FAILURE_MESSAGES."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail
