"""Numbers from the query string and forms: ASCII digits within the database's range, or None.

`"²".isdigit()` is true and `int("²")` fails; "9223372036854775808" is digits but overflows a
bigint. Every id, page and choice read from a request goes through here, so bad input is a 4xx.
"""

from __future__ import annotations

MAX_BIGINT = 2**63 - 1


def parse_int(value: object, *, maximum: int = MAX_BIGINT) -> int | None:
    """A non-negative whole number written in ASCII digits, at most `maximum`; else None."""
    text = str(value).strip() if isinstance(value, int | str) and not isinstance(value, bool) else ""
    if not text or not text.isascii() or not text.isdigit() or len(text) > len(str(maximum)):
        return None
    number = int(text)
    return number if number <= maximum else None
