"""The directory's search index: what the search pages count and rank, held in memory as arrays.

Why: a département holds tens of thousands of services. A broad search (a few words, or none, over
the whole département) matches most of them, and its page needs their ranking and a count for every
filter value (« Affiner »): in SQL that is a join of every match to ≈160,000 term links and 70,000
accessibility rows at each request, 300 to 400 ms at 50,000 services (bench/directory_search.py).
The same counts over arrays take a few milliseconds: one array per ranking key or filter (service
position → value) and, for terms, features and communes, the positions that carry each value.

What stays in the database: the text search (PostgreSQL full text and trigrams, SQLite FTS5), asked
for the ids and text ranks of the matches; the page's services, read by id. The index answers the
rest exactly as `search._run` does in SQL (same filters, counts, ranking and page; tests compare the
two on both databases), so the search module uses either, unchanged for its callers.

Never stale: every table the index reads has triggers logging each change (models.SearchIndexChange,
migration 0008). A search reads the log's version (one small query); an index built at another
version is not used. The index is built from a consistent state: the version is read before and after
the build, and a build that saw it change is thrown away.

Modes (setting MAILLAGE_DIRECTORY_SEARCH_INDEX): « background » (default): a search that finds the
index missing or out of date is answered in SQL while a thread rebuilds it, so nobody waits for a
build, and the new index asks again the text queries the previous one remembered (the searches
people keep making stay fast after an edit); « sync »: the search builds it first (tests,
benchmarks); « off »: SQL only.
"""

import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
from django.conf import settings
from django.db import connection, connections

from maillage.directory import conf
from maillage.directory.enums import AccessibilityFeature, FeeKind, OfferKind, Proximity, ServiceStatus
from maillage.directory.models import (
    RegularSchedule,
    ScheduleException,
    SearchIndexChange,
    Service,
    ServiceAccessibility,
    ServiceReach,
)

logger = logging.getLogger(__name__)

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
NEVER = np.iinfo(np.int64).min  # a service never verified
NO_AGE = -1
FEES = [value for value, _ in FeeKind.choices]
OFFER_KINDS = [value for value, _ in OfferKind.choices]
FEATURES = [value for value, _ in AccessibilityFeature.choices]
TEXT_CACHE_MATCHES = 1_000_000  # ≈ 8 MB of ids per process
CORRECTIONS_CACHE = 1_000  # typos remembered with their corrections (SearchIndex.corrections)
WARM_TEXTS = 200  # text queries a background rebuild asks again (SearchIndex.warm)
MAX_TIER = {Proximity.COMMUNE: 0, Proximity.EPCI: 1, Proximity.DEPARTEMENT: 2, Proximity.EVERYWHERE: 3}
EVERYWHERE_TIER = 3  # beyond the département: no service is left out, the farther ones come last


def mode() -> str:
    return getattr(settings, "MAILLAGE_DIRECTORY_SEARCH_INDEX", "background")


def current_version() -> tuple:
    """The version of the indexed tables as this connection sees them (models.SearchIndexChange)."""
    table = connection.ops.quote_name(SearchIndexChange._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(id), COUNT(*), MAX(value) FROM {table}")  # noqa: S608
        return tuple(cursor.fetchone())


def _micros(moment: datetime | None) -> int:
    """Microseconds since the epoch, exactly (no float rounding); NEVER for none."""
    if moment is None:
        return NEVER
    return (moment - EPOCH) // timedelta(microseconds=1)


def _day_micros(clock) -> int:
    return ((clock.hour * 60 + clock.minute) * 60 + clock.second) * 1_000_000 + clock.microsecond


class _Groups:
    """The positions carrying each key (a term, a feature, a commune…): rows sorted by key, so that one
    key's positions are one slice, found by binary search."""

    def __init__(self, keys: np.ndarray, positions: np.ndarray):
        order = np.argsort(keys, kind="stable")
        self.keys, self.positions = keys[order], positions[order]

    def of(self, key) -> np.ndarray:
        lo, hi = np.searchsorted(self.keys, key, side="left"), np.searchsorted(self.keys, key, side="right")
        return self.positions[lo:hi]

    def mask(self, key, size: int) -> np.ndarray:
        mask = np.zeros(size, dtype=bool)
        mask[self.of(key)] = True
        return mask


@dataclass
class Answer:
    counts: dict[str, dict[str, int]]
    page: list[tuple[int, int]]  # (service id, local_tier * 4 + is_verified * 2 + is_open), in order


class SearchIndex:
    """The arrays; position i is the i-th service by (name, id), the ranking's last keys, so that
    sorting by position is sorting by name then id, in the database's own collation."""

    def __init__(self, version: tuple):
        from maillage.directory.search.text import engine

        self.version = version
        self.vocabulary = engine().vocabulary()  # the typo fallback's words (search.corrections)
        self._texts: OrderedDict = OrderedDict()  # text query → ids, see text_matches
        self._corrections: OrderedDict = OrderedDict()  # a query's words → their corrections
        self._texts_size = 0
        self._texts_lock = threading.Lock()
        services = list(
            Service.objects.order_by("name", "pk").values_list(
                "pk",
                "status",
                "organisation_id",
                "organisation__is_active",
                "fee_kind",
                "offer_kind",
                "age_min",
                "age_max",
                "last_verified_at",
                "name_text",
            )
        )
        self.size = n = len(services)
        columns = list(zip(*services, strict=True)) if services else [()] * 10
        self.ids = np.array(columns[0], dtype=np.int64)
        self.published = np.array([s == ServiceStatus.PUBLISHED for s in columns[1]], dtype=bool).reshape(n)
        self.organisation = np.array(columns[2], dtype=np.int64)
        self.organisation_active = np.array(columns[3], dtype=bool).reshape(n)
        self.fee = np.array([_code(FEES, v) for v in columns[4]], dtype=np.int16)
        self.offer_kind = np.array([_code(OFFER_KINDS, v) for v in columns[5]], dtype=np.int16)
        self.age_min = np.array([NO_AGE if v is None else v for v in columns[6]], dtype=np.int32)
        self.age_max = np.array([NO_AGE if v is None else v for v in columns[7]], dtype=np.int32)
        self.verified_at = np.array([_micros(v) for v in columns[8]], dtype=np.int64)
        self._sorter = np.argsort(self.ids)
        # The words of the names (text tiers): the sorted distinct words, and the positions holding
        # each, grouped by the word's rank, so that the words beginning with a prefix are one range.
        name_words = [(position, word) for position, text in enumerate(columns[9]) for word in (text or "").split()]
        self.name_words = np.array(sorted({word for _, word in name_words}), dtype=str)
        ranks = np.searchsorted(self.name_words, np.array([w for _, w in name_words], dtype=str))
        positions = np.array([p for p, _ in name_words], dtype=np.int64)
        self.name_groups = _Groups(ranks.astype(np.int64), positions)

        links = Service.terms.through.objects.values_list("service_id", "taxonomyterm_id")
        service_ids, term_ids = self._columns(links, 2)
        self.link_positions = self._positions(service_ids)
        self.link_terms = term_ids
        self.terms = _Groups(term_ids, self.link_positions)

        features = ServiceAccessibility.objects.values_list("service_id", "feature")
        service_ids, feature_names = self._columns(features, 2, types=(np.int64, object))
        self.feature_positions = self._positions(service_ids)
        self.feature_codes = np.array([_code(FEATURES, f) for f in feature_names], dtype=np.int16)
        self.features = _Groups(self.feature_codes, self.feature_positions)

        reach = ServiceReach.objects.values_list("service_id", "commune_id", "epci_id", "departement_id")
        service_ids, communes, epcis, departements = self._columns(reach, 4, types=(np.int64, object, object, object))
        positions = self._positions(service_ids)
        self.reach = {
            "commune_id": _Groups(communes.astype(str), positions),
            "epci_id": _Groups(np.array(["" if e is None else str(e) for e in epcis], dtype=str), positions),
            "departement_id": _Groups(departements.astype(str), positions),
        }

        regular = RegularSchedule.objects.values_list("service_id", "weekday", "opens_at", "closes_at")
        service_ids, weekdays, opens, closes = self._columns(regular, 4, types=(np.int64, np.int16, object, object))
        self.regular_positions = self._positions(service_ids)
        self.regular_weekday = weekdays
        self.regular_opens = np.array([_day_micros(t) for t in opens], dtype=np.int64)
        self.regular_closes = np.array([_day_micros(t) for t in closes], dtype=np.int64)

        exceptions = ScheduleException.objects.values_list(
            "service_id", "start_date", "end_date", "is_closed", "opens_at", "closes_at"
        )
        columns = self._columns(exceptions, 6, types=(np.int64, *[object] * 5))
        service_ids, starts, ends, closed, opens, closes = columns
        self.exception_positions = self._positions(service_ids)
        self.exception_start = np.array([d.toordinal() for d in starts], dtype=np.int64)
        self.exception_end = np.array([d.toordinal() for d in ends], dtype=np.int64)
        self.exception_closed = np.array(list(closed), dtype=bool).reshape(len(service_ids))
        # A missing hour never compares true in SQL: opening after the day's end, closing before it starts.
        self.exception_opens = np.array([2**62 if t is None else _day_micros(t) for t in opens], dtype=np.int64)
        self.exception_closes = np.array([-1 if t is None else _day_micros(t) for t in closes], dtype=np.int64)

    @staticmethod
    def _columns(queryset, width: int, types=None) -> list[np.ndarray]:
        rows = list(queryset)
        types = types or (np.int64,) * width
        if not rows:
            return [np.array([], dtype=t) for t in types]
        return [np.array(column, dtype=t) for column, t in zip(zip(*rows, strict=True), types, strict=True)]

    def _positions(self, service_ids: np.ndarray) -> np.ndarray:
        """Positions of these service ids (each one is in the index: same consistent state)."""
        if not len(service_ids):
            return np.array([], dtype=np.int64)
        return self._sorter[np.searchsorted(self.ids, service_ids, sorter=self._sorter)]

    def positions_of(self, service_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Positions of those of `service_ids` that are in the index (text matches, read just now), and
        which of `service_ids` they are."""
        if not len(service_ids) or not self.size:
            return np.array([], dtype=np.int64), np.zeros(len(service_ids), dtype=bool)
        at = np.searchsorted(self.ids, service_ids, sorter=self._sorter).clip(max=self.size - 1)
        found = self._sorter[at]
        present = self.ids[found] == service_ids
        return found[present], present

    def _name_mask(self, word: str, *, prefix: bool) -> np.ndarray:
        """The services whose names hold `word` (prefix: a word beginning with it, text.is_prefix)."""
        from maillage.directory.search.text import is_prefix

        lo = np.searchsorted(self.name_words, word, side="left")
        # Words are [a-z0-9]+ (text.normalise): « { » sorts after every word beginning with `word`.
        prefix = prefix and is_prefix(word)
        hi = np.searchsorted(self.name_words, word + "{" if prefix else word, side="left" if prefix else "right")
        keys = self.name_groups.keys
        start, end = np.searchsorted(keys, lo, side="left"), np.searchsorted(keys, hi, side="left")
        mask = np.zeros(self.size, dtype=bool)
        mask[self.name_groups.positions[start:end]] = True
        return mask

    def text_tiers(self, tiers) -> np.ndarray:
        """search.sql.with_text_tier on the arrays: the text tier of every service."""
        from maillage.directory.search.text import TIER_NAME, TIER_NAME_WORD, TIER_TEXT

        tier = np.full(self.size, tiers.base + TIER_TEXT, dtype=np.int64)
        if not tiers.alternatives:
            return tier
        some_word = np.zeros(self.size, dtype=bool)
        for word in tiers.whole_words:
            some_word |= self._name_mask(word, prefix=False)
        every_word = np.zeros(self.size, dtype=bool)
        for alternative in tiers.alternatives:
            mask = np.ones(self.size, dtype=bool)
            for word in alternative:
                mask &= self._name_mask(word, prefix=True)
            every_word |= mask
        tier[some_word] = tiers.base + TIER_NAME_WORD
        tier[every_word] = tiers.base + TIER_NAME
        return tier

    def corrections(self, tokens) -> list[tuple[str, ...]]:
        """text.corrections against this index's vocabulary, remembered (a few ms each)."""
        from maillage.directory.search.text import corrections

        key = tuple(tokens)
        with self._texts_lock:
            if (found := self._corrections.get(key)) is not None:
                return found
        found = corrections(tokens, self.vocabulary)
        with self._texts_lock:
            self._corrections[key] = found
            while len(self._corrections) > CORRECTIONS_CACHE:
                self._corrections.popitem(last=False)
        return found

    def text_matches(self, key, ask) -> np.ndarray:
        """The text matches of a query, `ask()`ed from the database once per version of the index: they
        depend on the services' text only, which the version covers. People ask the same words all day
        (« portage de repas », « aide à domicile »), and a broad word matches tens of thousands of
        services, which the database takes 20 to 60 ms to list with their rank. Bounded: the least
        recently used queries go first past TEXT_CACHE_MATCHES matches in all. (Their ids: the text tier
        is computed from the names' words, `text_tiers`.)"""
        with self._texts_lock:
            if (found := self._texts.get(key)) is not None:
                self._texts.move_to_end(key)
                return found
        found = ask()
        with self._texts_lock:
            if key not in self._texts:
                self._texts[key] = found
                self._texts_size += len(found)
            while self._texts_size > TEXT_CACHE_MATCHES and len(self._texts) > 1:
                _, ids = self._texts.popitem(last=False)
                self._texts_size -= len(ids)
        return found

    def recent_texts(self, count: int) -> list:
        """The keys of the `count` text queries asked most recently."""
        with self._texts_lock:
            return list(self._texts)[-count:]

    def warm(self, keys) -> None:
        """Ask again the text queries a previous index remembered (`recent_texts`), so that after a
        change to the directory the searches people keep making do not wait for the database."""
        from maillage.directory.search.text import engine

        for key in keys:
            kind, *alternatives = key
            if kind in ("match", "fuzzy"):
                self.text_matches(key, lambda alternatives=alternatives: engine().fuzzy_ids(alternatives))

    def forget_texts(self) -> None:
        with self._texts_lock:
            self._texts.clear()
            self._texts_size = 0
            self._corrections.clear()

    # --- Reading --------------------------------------------------------------------------------

    def scope_mask(self, scope) -> np.ndarray:
        """access.ServiceScope, read on the arrays (its `queryset` is the same rule in SQL)."""
        mask = self.published.copy()
        if scope.active_organisations_only:
            mask &= self.organisation_active
        if scope.own_organisation_ids:
            mask |= np.isin(self.organisation, np.array(sorted(scope.own_organisation_ids), dtype=np.int64))
        return mask

    def any_in_scope(self, scope, service_ids: np.ndarray) -> bool:
        positions, _ = self.positions_of(service_ids)
        return bool(self.scope_mask(scope)[positions].any())

    def open_mask(self, now: datetime) -> np.ndarray:
        """search._open_now on the arrays: within a regular span unless an exception covers today; an
        exception with its own hours replaces the regular ones."""
        local = timezone_local(now)
        today, clock = local.date().toordinal(), _day_micros(local.time())
        today_exceptions = (self.exception_start <= today) & (self.exception_end >= today)
        special = today_exceptions & ~self.exception_closed
        special &= (self.exception_opens <= clock) & (self.exception_closes > clock)
        regular = (self.regular_weekday == local.weekday()) & (self.regular_opens <= clock)
        regular &= self.regular_closes > clock
        is_open = np.zeros(self.size, dtype=bool)
        is_open[self.regular_positions[regular]] = True
        is_open[self.exception_positions[today_exceptions]] = False
        is_open[self.exception_positions[special]] = True
        return is_open

    def answer(self, scope, filters, matches, term_ids: dict, *, now: datetime, offset: int, limit: int) -> Answer:
        """The page of results, their number and every facet count (search._run's answer).

        `matches`: None when the search has no text, else (service ids, text.TextTiers) of the text matches;
        `term_ids`: the term id of each vocabulary filter set (None for a code that names no term)."""
        n = self.size
        base = self.scope_mask(scope)
        text_tier = np.zeros(n, dtype=np.int64)
        if matches is not None:
            ids, tiers = matches
            positions, _ = self.positions_of(ids)
            text = np.zeros(n, dtype=bool)
            text[positions] = True
            base &= text
            text_tier = self.text_tiers(tiers)
        if filters.age is not None:
            base &= (self.age_min == NO_AGE) | (self.age_min <= filters.age)
            base &= (self.age_max == NO_AGE) | (self.age_max >= filters.age)

        tier = np.zeros(n, dtype=np.int64)
        commune = filters.commune
        if commune is not None:
            widest = MAX_TIER.get(filters.proximity, 2)
            tiers = [(0, ("commune_id", commune.pk))]
            if commune.epci_id:
                tiers.append((1, ("epci_id", commune.epci_id)))
            tiers.append((2, ("departement_id", commune.departement_id)))
            within = np.zeros(n, dtype=bool)
            tier[:] = widest
            for level, (column, key) in reversed(tiers):
                if level > widest:
                    continue
                positions = self.reach[column].of(str(key))
                within[positions] = True
                if level < widest:
                    tier[positions] = level
            if widest < EVERYWHERE_TIER:
                base &= within

        is_open = self.open_mask(now)
        limit_at = _micros(now - timedelta(days=conf.freshness_days()))
        verified = self.verified_at >= limit_at

        conditions: dict[str, np.ndarray] = {}
        for name in ("need", "domain", "public"):
            if getattr(filters, name):
                term = term_ids.get(name)
                conditions[name] = self.terms.mask(term, n) if term is not None else np.zeros(n, dtype=bool)
        if filters.accessibility:
            code = _code(FEATURES, filters.accessibility)
            conditions["accessibility"] = self.features.mask(code, n) if code >= 0 else np.zeros(n, dtype=bool)
        if filters.fee:
            conditions["fee"] = self.fee == _code(FEES, filters.fee)
        if filters.offer_kind:
            conditions["offer_kind"] = self.offer_kind == _code(OFFER_KINDS, filters.offer_kind)
        if filters.open_now:
            conditions["open_now"] = is_open

        def passing(but: str = "") -> np.ndarray:
            mask = base.copy()
            for name, condition in conditions.items():
                if name != but:
                    mask &= condition
            return mask

        def own(name: str) -> str:
            return name if name in conditions else ""

        results = passing()
        counts: dict[str, dict[str, int]] = {"total": {"": int(results.sum())}}
        for name, values, codes in (("fee", FEES, self.fee), ("offer_kind", OFFER_KINDS, self.offer_kind)):
            among = codes[results if not own(name) else passing(but=name)]
            tally = np.bincount(among[among >= 0], minlength=len(values))
            counts[name] = {value: int(tally[i]) for i, value in enumerate(values) if tally[i]}
        counts["open_now"] = {"1": int((passing(but=own("open_now")) & is_open).sum())}
        for scope_name in dict.fromkeys(own(name) for name in ("need", "domain", "public")):
            among = results if not scope_name else passing(but=scope_name)
            chosen = self.link_terms[among[self.link_positions]]
            found, tally = np.unique(chosen, return_counts=True)
            counts[f"term:{scope_name}"] = {str(t): int(c) for t, c in zip(found, tally, strict=True)}
        among = results if not own("accessibility") else passing(but="accessibility")
        tally = np.bincount(self.feature_codes[among[self.feature_positions]], minlength=len(FEATURES))
        counts["accessibility"] = {value: int(tally[i]) for i, value in enumerate(FEATURES) if tally[i]}

        # The page: ORDERING (text tier, local tier, verified first, open first, name, id), as one
        # integer key (a position sorts by name then id), and only the first `wanted` sorted.
        chosen = np.flatnonzero(results)
        bits = tier[chosen] * 4 + verified[chosen] * 2 + is_open[chosen]
        keys = text_tier[chosen] * 16 + tier[chosen] * 4 + (~verified[chosen]) * 2 + (~is_open[chosen])
        wanted = offset + limit
        combined = keys.astype(np.int64) * n + chosen
        if wanted < len(combined):
            first = np.argpartition(combined, wanted - 1)[:wanted]
            order = first[np.argsort(combined[first])]
        else:
            order = np.argsort(combined)
        page = [(int(self.ids[chosen[i]]), int(bits[i])) for i in order[offset:wanted]]
        return Answer(counts, page)


def _code(values: list[str], value) -> int:
    try:
        return values.index(value)
    except ValueError:
        return -1


def timezone_local(now: datetime) -> datetime:
    from django.utils import timezone

    return timezone.localtime(now)


# --- The process's index -------------------------------------------------------------------------

_lock = threading.Lock()
_index: SearchIndex | None = None
_building = False
_thread: threading.Thread | None = None


def build() -> SearchIndex | None:
    """A new index from the database, or None when the indexed tables changed during the build."""
    started = time.perf_counter()
    before = current_version()
    index = SearchIndex(before)
    if current_version() != before:
        logger.info("Index de recherche de l'annuaire : changement pendant la construction, abandonné.")
        return None
    logger.info("Index de recherche de l'annuaire : %s services en %.0f ms", index.size, _ms(started))
    return index


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def _build_in_background() -> None:
    global _index, _building
    try:
        previous = _index
        index = build()
        if index is not None:
            if previous is not None:
                index.warm(previous.recent_texts(WARM_TEXTS))
            with _lock:
                _index = index
    except Exception:
        logger.exception("Index de recherche de l'annuaire : la construction a échoué.")
    finally:
        _building = False
        connections.close_all()


def usable_index() -> SearchIndex | None:
    """The index at the current version, or None (the search then runs in SQL).

    « sync » builds it when it is missing or out of date; « background » starts a thread to build it
    (one at a time) and answers None meanwhile."""
    global _index, _building, _thread
    current = mode()
    if current == "off":
        return None
    version = current_version()
    index = _index
    if index is not None and index.version == version:
        return index
    if current == "sync":
        index = build()
        if index is not None and index.version == version:
            with _lock:
                _index = index
            return index
        return None
    with _lock:
        if _building:
            return None
        _building = True
    _thread = threading.Thread(target=_build_in_background, name="directory-search-index", daemon=True)
    _thread.start()
    return None


def wait_for_build(timeout: float = 60) -> None:
    """Wait for the background build under way, if any (tests, benchmarks)."""
    if _thread is not None:
        _thread.join(timeout)


def forget() -> None:
    """Drop the process's index (tests)."""
    global _index
    with _lock:
        _index = None
