"""What a search asks and what it answers: filters, facet values, results."""

from dataclasses import dataclass, field

from django.core.paginator import Page

from maillage.core.models import Commune
from maillage.directory.enums import Proximity
from maillage.directory.models import Taxonomy


@dataclass
class SearchFilters:
    q: str = ""
    need: str = ""
    domain: str = ""
    public: str = ""
    commune: Commune | None = None
    proximity: str = Proximity.DEPARTEMENT
    accessibility: str = ""
    fee: str = ""
    offer_kind: str = ""
    open_now: bool = False
    age: int | None = None

    @classmethod
    def from_form(cls, cleaned: dict) -> "SearchFilters":
        known = set(cls.__dataclass_fields__)
        values = {k: v for k, v in cleaned.items() if k in known and v not in (None, "")}
        return cls(**values)


@dataclass
class FacetValue:
    value: str
    label: str
    count: int


@dataclass
class Facet:
    name: str
    label: str
    values: list[FacetValue]


@dataclass
class SearchResult:
    page: Page
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    fuzzy: bool = False
    alternatives: list = field(default_factory=list)

    def facet_groups(self) -> list[Facet]:
        return [Facet(name, FACET_LABELS[name], values) for name, values in self.facets.items()]


FACET_LABELS = {
    "need": "Besoin essentiel",
    "domain": "Domaine",
    "public": "Public",
    "accessibility": "Accessibilité",
    "fee": "Tarif",
    "offer_kind": "Type d'offre",
    "open_now": "Horaires",
}

TERM_FILTERS = {"need": Taxonomy.NEEDS, "domain": Taxonomy.DOMAINS, "public": Taxonomy.PUBLICS}
