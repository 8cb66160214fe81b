"""Matching a file's taxonomy terms to the directory's vocabularies.

A Maillage file names a vocabulary by its identifier (`besoins-essentiels`) and a term by its code.
Another producer's HSDS 3 file names the vocabulary its own way — `taxonomy` (free text, « which
taxonomy is in use… if possible, provide a URI »), `taxonomy_detail` or the `taxonomies` table
(`name`, `uri`) — and describes the term by `code`, `name` and `term_uri`, `code` being optional.
So the vocabulary is recognised from the words of its name, identifier or URI, whatever their
order, accents or punctuation (« data·inclusion thématiques », « Thématiques data.inclusion »,
« thematiques-dora », `https://…/data-inclusion-schema/…/thematiques`), and the term by its code,
the last segment of its URI, or its name.

What is not recognised does not stop an import (HSDS lets a producer use any taxonomy): the
service is kept without that term and the report lists it as a warning. The one exception is a
term written in Maillage's own form (the vocabulary's identifier, exactly): an unknown code there is
a mistake in a file that follows Maillage's profile, and is refused as before.
"""

import re
import unicodedata

from maillage.directory.interop.report import ImportReport

# Words that say nothing about which vocabulary it is.
_NOISE = {
    "de",
    "des",
    "du",
    "d",
    "la",
    "le",
    "les",
    "l",
    "et",
    "the",
    "of",
    "dix",
    "taxonomie",
    "taxonomy",
    "vocabulaire",
    "vocabulary",
    "referentiel",
    "referentiels",
    "liste",
    "http",
    "https",
    "www",
    "json",
    "csv",
    "schema",
    "v1",
    "v0",
    "latest",
    "fr",
    "io",
    "org",
    "gouv",
    "beta",
}
# One word for each way of writing the same thing.
_SYNONYMS = {
    "di": ("data", "inclusion"),
    "dora": ("data", "inclusion"),  # DORA's thématiques are data·inclusion's (the same referential)
    "datainclusion": ("data", "inclusion"),
    "thematique": ("thematiques",),
    "themes": ("thematiques",),
    "theme": ("thematiques",),
    "typologie": ("types",),
    "typologies": ("types",),
    "type": ("types",),
    "service": ("services",),
    "public": ("publics",),
    "besoin": ("besoins",),
    "essentiel": ("essentiels",),
    "domaine": ("domaines",),
}


def _fold(text: str) -> str:
    folded = unicodedata.normalize("NFKD", (text or "").strip().lower())
    return "".join(c for c in folded if not unicodedata.combining(c)).replace("œ", "oe")


def vocabulary_words(text: str) -> frozenset[str]:
    """The words that identify a vocabulary in a name, identifier or URI, in no order."""
    words = set()
    for word in re.split(r"[^a-z0-9]+", _fold(text)):
        if word and word not in _NOISE:
            words.update(_SYNONYMS.get(word, (word,)))
    return frozenset(words)


def term_name_key(text: str) -> str:
    return " ".join(re.split(r"[^a-z0-9]+", _fold(text))).strip()


def _uri_code(uri: str) -> str:
    """The last segment of a term's URI (`…/thematiques#famille--soutien-aidants`, `…/se-nourrir/`)."""
    uri = (uri or "").strip().rstrip("/")
    return re.split(r"[/#:=]", uri)[-1].lower() if uri else ""


class TermMatcher:
    """The directory's vocabularies and terms, loaded once per import."""

    def __init__(self, terms, taxonomies):
        """terms: TaxonomyTerm with their taxonomy; taxonomies: Taxonomy rows (slug, name, source)."""
        self.by_key: dict[tuple[str, str], object] = {}
        self.by_code: dict[str, list] = {}
        self.by_name: dict[str, list] = {}
        for term in terms:
            slug = term.taxonomy.slug
            self.by_key[(slug, term.code)] = term
            self.by_code.setdefault(term.code.lower(), []).append(term)
            self.by_name.setdefault(term_name_key(term.name), []).append(term)
        self.slugs = set()
        self.vocabularies: list[tuple[frozenset[str], str]] = []  # (words, slug)
        for taxonomy in taxonomies:
            self.slugs.add(taxonomy.slug)
            for text in (taxonomy.slug, taxonomy.name):
                if words := vocabulary_words(text):
                    self.vocabularies.append((words, taxonomy.slug))

    def vocabulary(self, *texts: str) -> str | None:
        """The slug of the vocabulary named by any of the texts: the one whose words are all in a
        text, the most specific first (« data·inclusion publics » is di-publics, not publics)."""
        best: tuple[int, set[str]] = (0, set())
        for text in texts:
            words = vocabulary_words(text)
            for vocabulary_words_, slug in self.vocabularies:
                if vocabulary_words_ <= words:
                    size = len(vocabulary_words_)
                    if size > best[0]:
                        best = (size, {slug})
                    elif size == best[0]:
                        best[1].add(slug)
        return next(iter(best[1])) if len(best[1]) == 1 else None

    def find(self, item, report: ImportReport):
        """The directory's term for a file's term, or None after an error (Maillage's own form) or a
        warning (any other producer's vocabulary or term)."""
        values = item.values
        where = item.where
        taxonomy = (values.get("taxonomy") or "").strip()
        code = (values.get("code") or "").strip()
        name = (values.get("name") or "").strip()
        if taxonomy in self.slugs:  # Maillage's own form
            if not code:
                report.add(where.file, where.position, item.name("code"), "Code de taxonomie manquant.")
                return None
            term = self.by_key.get((taxonomy, code))
            if term is None:
                report.add(
                    where.file,
                    where.position,
                    item.name("code"),
                    f"Le code « {code} » n'existe pas dans la taxonomie « {taxonomy} ».",
                )
            return term
        claimed = [
            values.get("taxonomy_name") or "",
            values.get("taxonomy_uri") or "",
            taxonomy,
            values.get("taxonomy_id") or "",
        ]
        slug = self.vocabulary(*[text for text in claimed if text])
        codes = [c for c in (code.lower(), _uri_code(values.get("term_uri") or "")) if c]
        term_id = (values.get("term_id") or "").strip()
        if term_id:
            codes += [term_id.lower(), term_id.split(":", 1)[-1].lower()]
        found = self._match(slug, codes, name)
        if found is not None:
            return found
        described = f"« {name} »" if name else ""
        if code:
            described = f"{described} ({code})" if described else f"« {code} »"
        described = described or f"« {term_id} »"
        vocabulary = next((text for text in claimed if text), "")
        if slug is not None:
            message = f"Terme {described} absent de la taxonomie « {slug} » de Maillage : ignoré."
        elif vocabulary:
            message = f"Terme {described} de la taxonomie « {vocabulary} », inconnue de Maillage : ignoré."
        else:
            message = f"Terme {described} sans taxonomie reconnue par Maillage : ignoré."
        report.warn(where.file, where.position, item.name("code"), message)
        return None

    def _match(self, slug: str | None, codes: list[str], name: str):
        def unique(candidates):
            if slug is not None:
                candidates = [t for t in candidates if t.taxonomy.slug == slug]
            return candidates[0] if len(candidates) == 1 else None

        for code in codes:
            if slug is not None and (term := self.by_key.get((slug, code))) is not None:
                return term
            if (term := unique(self.by_code.get(code, []))) is not None:
                return term
        if name and slug is not None:  # a name alone, in an unknown vocabulary, could mean anything
            return unique(self.by_name.get(term_name_key(name), []))
        return None
