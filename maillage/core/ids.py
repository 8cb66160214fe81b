"""Ids read from a request (a query parameter, a form field, a session): ASCII digits within the
range of a database id, else nothing. `str.isdigit()` accepts « ² » (which `int()` refuses) and
any length (which the databases refuse: SQLite past 2⁶³ − 1, PostgreSQL's bigint too)."""

import re

MAX_ID = 2**63 - 1
_ID = re.compile(r"[0-9]{1,19}")


def parse_id(value) -> int | None:
    """The id `value` spells, or None when it spells none a database could hold."""
    text = str(value).strip() if value is not None else ""
    if not _ID.fullmatch(text):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


def parse_ids(values) -> list[int]:
    """The ids among `values`, in order (what is not an id is left out)."""
    return [number for number in map(parse_id, values) if number is not None]
