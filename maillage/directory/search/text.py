"""The text of the search: normalisation of the indexed texts and the queries, synonyms, and the two
engines that match them (PostgreSQL full text, SQLite FTS5), with the typo fallback."""

import functools
import operator
import re
import time
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from django.db import connection
from django.db.models import F, Func, Q, QuerySet, TextField, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Concat
from rapidfuzz import fuzz, process

from maillage.directory.models import Service

MAX_QUERY_TOKENS = 12
TS_CONFIG = "directory_french"
FTS_TABLE = "directory_service_fts"
FUZZY_CUTOFF = 0.75
# A word searched matches the words that begin with it (« menag » finds « ménagère »), but a short one
# only itself: « CAF » is not « café », « St » is not « structure ».
MIN_PREFIX = 4


def is_prefix(word: str) -> bool:
    return len(word) >= MIN_PREFIX


STOPWORDS = frozenset(
    [
        "a",
        "au",
        "aux",
        "avec",
        "ce",
        "ces",
        "d",
        "dans",
        "de",
        "des",
        "du",
        "en",
        "et",
        "l",
        "la",
        "le",
        "les",
        "leur",
        "un",
        "une",
        "ou",
        "par",
        "pour",
        "sa",
        "se",
        "ses",
        "son",
        "sur",
        "y",
    ]
)

# Each group lists expressions that mean the same to a person searching. Keep them in plain French;
# they are normalised like the queries.
SYNONYMS: list[tuple[str, ...]] = [
    ("maison de retraite", "ehpad", "établissement d'hébergement pour personnes âgées dépendantes"),
    ("portage de repas", "livraison de repas", "repas à domicile"),
    ("aide à domicile", "aide ménagère", "auxiliaire de vie"),
    ("téléassistance", "téléalarme"),
    ("transport", "déplacement", "mobilité"),
    ("aidant", "proche aidant", "aide aux aidants"),
    ("ccas", "centre communal d'action sociale"),
    ("clic", "centre local d'information et de coordination"),
    ("mdph", "maison départementale des personnes handicapées"),
    ("cias", "centre intercommunal d'action sociale"),
    ("apa", "allocation personnalisée d'autonomie"),
    ("rsa", "revenu de solidarité active"),
    ("caf", "caisse d'allocations familiales"),
    ("pmi", "protection maternelle et infantile"),
    ("aah", "allocation aux adultes handicapés"),
    ("css", "complémentaire santé solidaire"),
    ("cpam", "caisse primaire d'assurance maladie"),
    ("msa", "mutualité sociale agricole"),
    ("ssiad", "service de soins infirmiers à domicile"),
    ("saad", "service d'aide à domicile", "service d'aide et d'accompagnement à domicile"),
    ("dac", "dispositif d'appui à la coordination"),
    ("udaf", "union départementale des associations familiales"),
    ("france services", "maison france services", "msap", "maison de services au public"),
    ("epicerie sociale", "épicerie solidaire"),
    ("médecin", "docteur"),
    ("courses", "commissions"),
    ("isolement", "solitude"),
    # Commune names as people type them (« St Apollinaire », « Ste Foy »).
    ("saint", "st"),
    ("sainte", "ste"),
]


def _strip_accents(text: str) -> str:
    text = text.replace("œ", "oe").replace("Œ", "oe").replace("æ", "ae").replace("Æ", "ae")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def stem(token: str) -> str:
    """Fold French plurals: « sociaux » → « social », « repas » → « repa », « aidants » → « aidant »."""
    if len(token) > 4 and token.endswith("aux"):
        return token[:-3] + "al"
    if len(token) > 3 and token.endswith(("s", "x")):
        return token[:-1]
    return token


def normalise(text: str) -> list[str]:
    """Words of `text` as the index stores them: lower case, unaccented, no stop words, plurals folded."""
    words = re.findall(r"[a-z0-9]+", _strip_accents(text or "").lower())
    return [stem(w) for w in words if w not in STOPWORDS]


@lru_cache(maxsize=1)
def _synonym_groups() -> list[list[tuple[str, ...]]]:
    return [[tuple(normalise(phrase)) for phrase in group] for group in SYNONYMS]


def _find(tokens: tuple[str, ...], phrase: tuple[str, ...]) -> int:
    for i in range(len(tokens) - len(phrase) + 1):
        if tokens[i : i + len(phrase)] == phrase:
            return i
    return -1


def query_alternatives(text: str) -> list[tuple[str, ...]]:
    """The query's words, then each variant where an expression is replaced by a synonym."""
    tokens = tuple(normalise(text[:500])[:MAX_QUERY_TOKENS])
    if not tokens:
        return []
    alternatives = [tokens]
    for group in _synonym_groups():
        for current in list(alternatives):
            for phrase in group:
                at = _find(current, phrase)
                if at < 0:
                    continue
                for other in group:
                    if other != phrase:
                        variant = current[:at] + other + current[at + len(phrase) :]
                        if variant not in alternatives:
                            alternatives.append(variant)
                break
    return alternatives[:20]


def essential(alternatives) -> list[tuple[str, ...]]:
    """The alternatives that are not implied by another one: a variant holding every word of another
    finds nothing more (« aide aidant » beside « aidant »), and only lengthens the query."""
    kept = []
    for alternative in sorted(dict.fromkeys(alternatives), key=len):
        if not any(set(other) <= set(alternative) for other in kept):
            kept.append(alternative)
    return kept


def document_text(service: Service) -> str:
    """What the search engines index for a service: its names, description, organisation, terms
    (needs, domains, publics…) and the communes where it is delivered."""
    parts = [service.name, service.alternate_name, service.description, service.organisation.name]
    parts += [term.name for term in service.terms.all()]
    parts += [sal.location.commune.name for sal in service.service_at_locations.select_related("location__commune")]
    return " ".join(normalise(" ".join(p for p in parts if p)))


def name_text(name: str, alternate_name: str = "") -> str:
    """The words of a service's names (`Service.name_text`), normalised as the queries are: what the
    text tier (`TextTiers`) compares the query with."""
    return " ".join(normalise(" ".join(p for p in (name, alternate_name) if p)))


# The text tiers, best first: how well a service matches the words searched (search.sql.ORDERING).
TIER_NAME = 0  # every word searched (or its synonym) begins a word of the name: « portage repas »
TIER_NAME_WORD = 1  # some word searched is a whole word of the name: « repas Dijon » → « Portage de repas »
TIER_TEXT = 2  # found elsewhere only: description, other name, organisation, needs and publics, commune
FUZZY_TIERS = 3  # added when the words were corrected (a typo): after every exact match, same order


@dataclass(frozen=True)
class TextTiers:
    """What the text tier of a match is computed from, on both answers (SQL and the index): the
    alternatives the engines searched (the query and its synonyms, or its corrections)."""

    alternatives: tuple[tuple[str, ...], ...]
    fuzzy: bool = False

    @property
    def whole_words(self) -> list[str]:
        return sorted({word for alternative in self.alternatives for word in alternative})

    @property
    def base(self) -> int:
        return FUZZY_TIERS if self.fuzzy else 0


# --- Engines -------------------------------------------------------------------------------------


class StoredSearchVector(Func):
    """PostgreSQL only: the column `directory_service.search_vector`, generated by the database from
    `search_text` (migration 0005) and indexed with GIN. Reading it instead of recomputing
    `to_tsvector(search_text)` spares the ranking of every match a parse of its text. Django does not
    know the column (SQLite has none), so it is reached through `search_text`, keeping the table
    alias Django gives it in subqueries."""

    def __init__(self):
        from django.contrib.postgres.search import SearchVectorField

        super().__init__(F("search_text"), output_field=SearchVectorField())

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        assert sql.endswith('"search_text"'), sql
        return sql[: -len('"search_text"')] + '"search_vector"', params


def corrections(tokens, vocabulary: "Vocabulary") -> list[tuple[str, ...]]:
    """For a query that found nothing, the queries it may have meant: each word that no service holds
    replaced by the (at most three) closest words that some do, by edit similarity (rapidfuzz, Indel
    ratio ≥ FUZZY_CUTOFF). Empty when a word has no close word: the search then finds nothing."""
    choices = []
    for token in tokens:
        if token in vocabulary.words:
            choices.append([token])
            continue
        close = process.extract(token, vocabulary.ordered, scorer=fuzz.ratio, limit=3, score_cutoff=FUZZY_CUTOFF * 100)
        if not close:
            return []
        choices.append([word for word, _, _ in close])
    alternatives = [()]
    for options in choices:
        alternatives = [alt + (option,) for alt in alternatives for option in options][:20]
    return alternatives


@dataclass
class Vocabulary:
    """The words the indexed texts hold (Service.search_text)."""

    ordered: list[str]
    words: frozenset[str]

    @classmethod
    def of(cls, words) -> "Vocabulary":
        ordered = sorted(set(words))
        return cls(ordered, frozenset(ordered))


class Engine:
    """What both engines share: the typo fallback (corrections against the indexed words)."""

    def fuzzy(self, qs: QuerySet, tokens, vocabulary: Vocabulary | None = None) -> tuple[QuerySet, TextTiers]:
        alternatives = corrections(tokens, vocabulary or self.vocabulary())
        tiers = TextTiers(tuple(alternatives), fuzzy=True)
        if not alternatives:
            return qs.none(), tiers
        return self.match(qs, alternatives), tiers

    def fuzzy_ids(self, alternatives) -> np.ndarray:
        """The matches of corrections (`corrections`): none when a word had no close word."""
        return self.match_ids(alternatives) if alternatives else np.array([], dtype=np.int64)


class PostgresEngine(Engine):
    def match(self, qs: QuerySet, alternatives) -> QuerySet:
        from django.contrib.postgres.search import SearchQuery

        raw = " | ".join(
            "(" + " & ".join(f"{t}:*" if is_prefix(t) else t for t in alt) + ")" for alt in essential(alternatives)
        )
        query = SearchQuery(raw, search_type="raw", config=TS_CONFIG)
        qs = qs.annotate(search_vector=StoredSearchVector()).filter(search_vector=query)
        if all(is_prefix(t) for alt in alternatives for t in alt):
            return qs
        # The French stemmer makes « caf » of « café »: a short word must also be a whole word of the
        # text (as on SQLite), checked on the matches only (the GIN index found them).
        qs = qs.alias(padded_text=Concat(Value(" "), F("search_text"), Value(" "), output_field=TextField()))
        each = []
        for alt in essential(alternatives):
            words = " & ".join(f"{t}:*" if is_prefix(t) else t for t in alt)
            condition = Q(search_vector=SearchQuery(words, search_type="raw", config=TS_CONFIG))
            for short in (t for t in alt if not is_prefix(t)):
                condition &= Q(padded_text__contains=f" {short} ")
            each.append(condition)
        return qs.filter(functools.reduce(operator.or_, each))

    def match_ids(self, alternatives) -> np.ndarray:
        return _id_array(self.match(Service.objects.order_by(), alternatives).values_list("pk"))

    def vocabulary(self) -> Vocabulary:
        with connection.cursor() as cursor:
            cursor.execute("SELECT DISTINCT unnest(string_to_array(search_text, ' ')) FROM directory_service")
            return Vocabulary.of(row[0] for row in cursor.fetchall() if row[0])


class SqliteEngine(Engine):
    def _fts(self, alternatives) -> str:
        return " OR ".join(
            "(" + " AND ".join(f'"{t}"*' if is_prefix(t) else f'"{t}"' for t in alt) + ")"
            for alt in essential(alternatives)
        )

    def match(self, qs: QuerySet, alternatives) -> QuerySet:
        # Tokens are [a-z0-9]+ only (normalise), so the FTS5 expression cannot be malformed.
        ids = RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [self._fts(alternatives)])  # noqa: S608, S611
        return qs.filter(pk__in=ids)

    def match_ids(self, alternatives) -> np.ndarray:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [self._fts(alternatives)])  # noqa: S608
            return np.array([row[0] for row in cursor.fetchall()], dtype=np.int64)

    def vocabulary(self) -> Vocabulary:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT term FROM {FTS_TABLE}_vocab")  # noqa: S608
            return Vocabulary.of(row[0] for row in cursor.fetchall())


def _id_array(queryset: QuerySet) -> np.ndarray:
    """The ids of a `values_list("pk")` queryset on PostgreSQL, as one array read in binary: a broad
    word matches tens of thousands of services, and reading a row per match cost more than the query
    itself (through the ORM three times more; as text rows, a quarter more: bench/directory_search.py).
    Django's cursors speak text only, so psycopg's own cursor is used, on Django's connection (same
    transaction); the query is logged as Django logs its own."""
    import psycopg

    sql, params = queryset.query.sql_with_params()
    sql = f"SELECT array_agg(m.pk) FROM ({sql}) m"  # noqa: S608 — compiled by the ORM
    connection.ensure_connection()
    started = time.monotonic()
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, params, binary=True)
        (ids,) = cursor.fetchone()
    if connection.queries_logged:
        connection.queries_log.append({"sql": sql, "time": f"{time.monotonic() - started:.3f}"})
    return np.array(ids or [], dtype=np.int64)


def engine():
    return PostgresEngine() if connection.vendor == "postgresql" else SqliteEngine()
