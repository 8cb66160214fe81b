"""Dates as people type them at a reception desk: « 9/10/41 », « 09/10/1941 », « 9.10.41 »,
« 9-10-1941 », or the ISO form a date picker sends (« 1941-10-09 »)."""

import datetime
import re

from django.utils import timezone

_DAY_FIRST = re.compile(r"^\s*(\d{1,2})\s*[/.\-\s]\s*(\d{1,2})\s*[/.\-\s]\s*(\d{2}|\d{4})\s*$")
_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")


def parse_date(value: str, *, today: datetime.date | None = None, past: bool = True) -> datetime.date | None:
    """The date written in `value` (day first, the French order), or None if it is not a date.

    A two-digit year is a birth year by default (`past`): the most recent year ending with those
    digits that does not put the date in the future (« 9/10/41 » is 1941; « 3/2/20 » is 2020)."""
    text = value or ""
    iso = _ISO.match(text)
    if iso:
        year, month, day = (int(g) for g in iso.groups())
    else:
        found = _DAY_FIRST.match(text)
        if not found:
            return None
        day, month = int(found.group(1)), int(found.group(2))
        year_text = found.group(3)
        year = int(year_text)
        if len(year_text) == 2:
            today = today or timezone.localdate()
            century = today.year // 100 * 100
            year = century + year
            if past:
                try:
                    if datetime.date(year, month, day) > today:
                        year -= 100
                except ValueError:
                    return None
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None
