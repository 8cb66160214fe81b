"""Finding a person from one search box: names (accents, hyphens, birth name, typos), date of birth,
phone number or commune, in any order ("dupont 12/03/1941", "06 12 34", "martin dijon").

The query is split into parts: a date, phone digits, words. Words are matched as prefixes of the
normalised names; when that finds nothing, a typo-tolerant pass compares words with names
(PostgreSQL: trigram similarity of pg_trgm; SQLite: RapidFuzz on the candidates of the same
initials). Every query runs inside a queryset already scoped by the access policy.
"""

import datetime
import re
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Q, QuerySet
from rapidfuzz import fuzz

from maillage.people import normalise
from maillage.people.dates import parse_date

_DATE = re.compile(r"\b(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})\b")
_YEAR = re.compile(r"^(19|20)\d{2}$")
_PHONE = re.compile(r"(?:\+33|0)?[\d .]{6,}")
MAX_RESULTS = 30
TYPO_THRESHOLD = 75  # RapidFuzz ratio (0–100) for a word to count as a typo of a name


@dataclass
class ParsedQuery:
    words: list[str] = field(default_factory=list)
    birth_date: datetime.date | None = None
    birth_year: int | None = None
    phone_digits: str = ""
    invalid_date: str = ""


def parse(query: str) -> ParsedQuery:
    parsed = ParsedQuery()
    rest = query or ""
    match = _DATE.search(rest)
    if match:
        parsed.birth_date = parse_date(match.group(0))  # « 9/10/41 » is 1941 (dates.py)
        if parsed.birth_date is None:
            parsed.invalid_date = match.group(0)
        rest = rest.replace(match.group(0), " ")
    digits_match = _PHONE.search(rest)
    if digits_match and len(re.sub(r"\D", "", digits_match.group(0))) >= 6:
        parsed.phone_digits = normalise.phone_digits(digits_match.group(0))
        rest = rest.replace(digits_match.group(0), " ")
    for word in normalise.text(rest).split():
        if _YEAR.match(word):
            parsed.birth_year = int(word)
        elif len(word) >= 1:
            parsed.words.append(word[:50])
    parsed.words = parsed.words[:6]
    return parsed


def _commune_ids(raw_query: str, word: str) -> list[int]:
    """Communes this word designates: an INSEE code, a postal code, or a commune's exact name
    (accents optional)."""
    from maillage.core.models import Commune

    if word.isdigit() and len(word) == 5:
        return list(Commune.objects.filter(code=word).values_list("pk", flat=True)) or [
            c.pk
            for c in Commune.objects.filter(postal_codes__icontains=word).only("pk", "postal_codes")
            if word in c.postal_codes
        ]
    if len(word) < 3:
        return []
    typed = next((t for t in re.split(r"[\s,]+", raw_query) if normalise.text(t) == word), word)
    exact = [
        c.pk for c in Commune.objects.filter(name__iexact=typed).only("pk", "name") if normalise.text(c.name) == word
    ]
    if exact:
        return exact
    # Accents typed differently ("chenove" for "Chenôve"): compare the normalised names.
    similar = Commune.objects.filter(name__istartswith=typed[:2]).only("pk", "name")[:2000]
    return [c.pk for c in similar if normalise.text(c.name) == word]


def _phrase_commune_ids(phrase: str) -> list[int]:
    """Communes whose normalised name is `phrase` (several words: « fontaine les dijon »)."""
    from maillage.core.models import Commune

    first = phrase.split()[0]
    candidates = Commune.objects.filter(name__istartswith=first[:3]).only("pk", "name")[:2000]
    return [c.pk for c in candidates if normalise.text(c.name) == phrase]


def _words_and_communes(raw_query: str, words: list[str]) -> list[tuple[str, list[int]]]:
    """Each word with the communes it designates; consecutive words naming one commune (the
    longest run first) count as one."""
    result = []
    index = 0
    while index < len(words):
        for end in range(len(words), index + 1, -1):
            phrase = " ".join(words[index:end])
            if ids := _phrase_commune_ids(phrase):
                result.append((phrase, ids))
                index = end
                break
        else:
            result.append((words[index], _commune_ids(raw_query, words[index])))
            index += 1
    return result


def _in_communes(ids: list[int]) -> Q:
    return Q(addresses__is_current=True, addresses__commune_id__in=ids)


def search(queryset: QuerySet, query: str, *, limit: int = MAX_RESULTS) -> tuple[list, ParsedQuery]:
    """The persons of `queryset` matching `query`, best first, at most `limit`."""
    parsed = parse(query)
    qs = queryset
    if parsed.birth_date:
        qs = qs.filter(birth_date=parsed.birth_date)
    if parsed.birth_year:
        qs = qs.filter(birth_date__year=parsed.birth_year)
    if parsed.phone_digits:
        qs = qs.filter(phones__digits__startswith=parsed.phone_digits)
    if not parsed.words:
        if parsed.birth_date or parsed.birth_year or parsed.phone_digits:
            return list(qs.distinct().order_by("last_name", "first_names")[:limit]), parsed
        return [], parsed
    # A word is a name prefix ("dup" → "dupont", "dupont martin"), or a commune ("dijon", "21000",
    # "fontaine-lès-dijon" over several words).
    exact = qs
    name_words = []
    for word, communes in _words_and_communes(query, parsed.words):
        name = Q(search_names__startswith=word) | Q(search_names__contains=" " + word)
        if communes:
            exact = exact.filter(name | _in_communes(communes))
        else:
            exact = exact.filter(name)
            name_words.append(word)
    results = list(exact.distinct().order_by("last_name", "first_names")[:limit])
    if results or not name_words:
        return results, parsed
    return _typo_tolerant(qs, name_words, limit), parsed


def _typo_tolerant(qs: QuerySet, words: list[str], limit: int) -> list:
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import TrigramWordSimilarity

        annotated = qs
        score = None
        for index, word in enumerate(words):
            annotated = annotated.annotate(**{f"sim{index}": TrigramWordSimilarity(word, "search_names")})
            annotated = annotated.filter(**{f"sim{index}__gte": 0.4})
            score = f"sim{index}" if score is None else score
        return list(annotated.order_by(f"-{score}", "last_name")[:limit])
    # SQLite: candidates sharing the first letter of a word, scored with RapidFuzz in Python.
    initials = Q()
    for word in words:
        initials |= Q(search_names__startswith=word[0]) | Q(search_names__contains=" " + word[0])
    candidates = list(qs.filter(initials).only("pk", "search_names", "last_name", "first_names")[:5000])
    scored = []
    for person in candidates:
        names = person.search_names.split()
        scores = [max((fuzz.ratio(word, name) for name in names), default=0) for word in words]
        if min(scores) >= TYPO_THRESHOLD:
            scored.append((sum(scores), person.pk))
    scored.sort(reverse=True)
    pks = [pk for _, pk in scored[:limit]]
    by_pk = qs.model.objects.in_bulk(pks)
    return [by_pk[pk] for pk in pks if pk in by_pk]


def likely_duplicates(queryset: QuerySet, *, last_name: str, first_names: str, birth_name: str = "", birth_date=None):
    """Persons of `queryset` who look like the one about to be created: same birth date and a
    close name, or the same names (usage or birth) with no date to compare."""
    first = normalise.text(first_names).split()[:1]
    family = set(normalise.text(last_name).split()) | set(normalise.text(birth_name).split())
    if not family:
        return []
    candidates = queryset
    if birth_date:
        candidates = candidates.filter(Q(birth_date=birth_date) | Q(birth_date__isnull=True))
    initials = Q()
    for word in family:
        initials |= Q(search_names__startswith=word[0]) | Q(search_names__contains=" " + word[0])
    found = []
    for person in candidates.filter(initials)[:2000]:
        names = person.search_names.split()
        family_score = max((fuzz.ratio(w, n) for w in family for n in names), default=0)
        first_score = max((fuzz.ratio(w, n) for w in first for n in names), default=100 if not first else 0)
        if family_score >= 85 and first_score >= 80:
            found.append(person)
    return found[:10]
