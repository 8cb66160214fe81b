"""Output schemas of the public directory API: Open Referral HSDS 3.0 objects and field names.

The API's responses are built as these pydantic models and its OpenAPI description is generated
from them (maillage.directory.apis.openapi_document), so the two cannot drift apart.

Departures from HSDS, on purpose: identifiers are Maillage's own (decimal strings, not UUIDs);
absent values are `null` rather than omitted; `accessibility` is also given on the service (a home
visit has no place); service areas are communes identified by their INSEE code.
"""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Schema(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Error(Schema):
    """Every error answer (400, 404, 405)."""

    message: str = Field(description="Ce qui ne va pas, en français.")
    extra: dict[str, str] = Field(default_factory=dict, description="Le détail, paramètre par paramètre.")


class Phone(Schema):
    id: str
    number: str = Field(description="Le numéro, tel qu'il se compose en France.")
    description: str | None = Field(None, description="Par exemple « accueil ».")


class Address(Schema):
    id: str
    address_1: str = Field(description="Numéro et voie.")
    address_2: str | None = Field(None, description="Complément d'adresse.")
    city: str = Field(description="Commune.")
    region: str | None = Field(None, description="Code INSEE de la commune.")
    state_province: str = Field(description="Département.")
    postal_code: str | None = None
    country: Literal["FR"] = "FR"
    address_type: Literal["physical"] = "physical"


class Accessibility(Schema):
    id: str
    description: str = Field(description="L'aménagement, en clair.")
    details: str | None = Field(None, description="Précisions.")


class Language(Schema):
    id: str
    name: str
    code: str = Field(description="Code ISO 639 (fsl pour la langue des signes française).")


class Schedule(Schema):
    """A weekly opening span (freq WEEKLY, byday), or a dated exception (valid_from / valid_to)."""

    id: str
    freq: Literal["WEEKLY"] | None = None
    wkst: Literal["MO"] | None = None
    byday: str | None = Field(None, description="Jour au format RFC 5545 : MO, TU, WE, TH, FR, SA, SU.")
    opens_at: str | None = Field(None, description="Heure d'ouverture, HH:MM (heure de Paris).")
    closes_at: str | None = Field(None, description="Heure de fermeture, HH:MM (heure de Paris).")
    valid_from: str | None = Field(None, description="Début d'une période particulière (AAAA-MM-JJ).")
    valid_to: str | None = Field(None, description="Fin d'une période particulière (AAAA-MM-JJ).")
    description: str = Field(description="L'horaire en clair, en français.")
    notes: str | None = Field(None, description="« fermé » pour une fermeture.")


class ServiceArea(Schema):
    id: str
    name: str = Field(description="Nom de la commune desservie.")
    extent: str = Field(description="Code INSEE de la commune.")
    extent_type: Literal["insee"] = "insee"
    uri: str = Field(description="La commune dans l'API Découpage administratif (geo.api.gouv.fr).")


class Location(Schema):
    id: str
    location_type: Literal["physical"] = "physical"
    name: str | None = None
    transportation: str | None = Field(None, description="Comment s'y rendre.")
    latitude: float | None = None
    longitude: float | None = None
    addresses: list[Address]
    accessibility: list[Accessibility]


class ServiceAtLocation(Schema):
    id: str
    service_id: str
    location_id: str
    description: str | None = None
    location: Location


class Taxonomy(Schema):
    id: str = Field(description="L'identifiant du vocabulaire, par exemple « besoins-essentiels ».")
    name: str
    description: str
    version: str | None = None


class TaxonomyTerm(Schema):
    id: str
    code: str = Field(description="Le code à passer au paramètre `need` (besoins essentiels).")
    name: str
    description: str
    parent_id: str | None = None
    taxonomy: str = Field(description="Nom du vocabulaire.")
    taxonomy_id: str


class Attribute(Schema):
    """Links a service to a taxonomy term (need, information domain, public)."""

    id: str
    link_id: str
    link_type: Literal["service"] = "service"
    link_entity: Literal["service"] = "service"
    taxonomy_term_id: str
    taxonomy_term: TaxonomyTerm


class OrganizationSummary(Schema):
    id: str
    name: str
    description: str = Field(description="Le type de structure (CCAS, CLIC, association…).")
    email: str | None = None
    website: str | None = None


class ServiceSummary(Schema):
    """The one-to-one fields of a service (HSDS service_list)."""

    id: str
    organization_id: str
    name: str
    alternate_name: str | None = None
    description: str
    url: str | None = None
    email: str | None = None
    status: Literal["active"] = Field("active", description="Seuls les services publiés sont diffusés.")
    application_process: str | None = Field(None, description="Comment en bénéficier.")
    fees_description: str = Field(description="Gratuit, payant ou selon les ressources, et précisions.")
    eligibility_description: str | None = None
    minimum_age: int | None = None
    maximum_age: int | None = None
    assured_date: str | None = Field(None, description="Date de la dernière vérification (AAAA-MM-JJ).")


class Organization(OrganizationSummary):
    phones: list[Phone]
    services: list[ServiceSummary] = Field(description="Ses services publiés.")


class Service(ServiceSummary):
    """A service with everything related to it (HSDS fully nested service)."""

    organization: OrganizationSummary
    phones: list[Phone]
    schedules: list[Schedule]
    service_areas: list[ServiceArea]
    service_at_locations: list[ServiceAtLocation]
    languages: list[Language]
    attributes: list[Attribute]
    accessibility: list[Accessibility] = Field(description="Extension Maillage : l'accessibilité du service.")


class Page(Schema):
    """HSDS paging fields."""

    total_items: int = Field(description="Nombre total de résultats.")
    total_pages: int = Field(description="Nombre de pages.")
    page_number: int = Field(description="Numéro de cette page (à partir de 1).")
    size: int = Field(description="Nombre de résultats dans cette page.")
    first_page: bool
    last_page: bool
    empty: bool = Field(description="Vrai quand cette page ne contient aucun résultat.")


class ServicePage(Page):
    contents: list[ServiceSummary]


class OrganizationPage(Page):
    contents: list[OrganizationSummary]


class TaxonomyPage(Page):
    contents: list[Taxonomy]


class TaxonomyTermPage(Page):
    contents: list[TaxonomyTerm]


class ApiIndex(Schema):
    """What the API root answers to a JSON client (HSDS « / »)."""

    version: str
    profile: str
    openapi_url: str


# --- Examples, shown on the documentation page and in the OpenAPI description -------------------
# Built as models, so that an example that no longer matches its schema fails at import.

EXAMPLE_ORGANIZATION = OrganizationSummary(
    id="3", name="CCAS de Dijon", description="CCAS (centre communal d'action sociale)", email="contact@ccas.example"
)
EXAMPLE_SERVICE_SUMMARY = ServiceSummary(
    id="42",
    organization_id="3",
    name="Portage de repas à domicile",
    description="Livraison de repas équilibrés, du lundi au vendredi.",
    application_process="Sur rendez-vous, par téléphone.",
    fees_description="Selon les ressources — de 4,50 € à 9 € le repas.",
    eligibility_description="Personnes de 60 ans et plus, ou en situation de handicap.",
    minimum_age=60,
    assured_date="2026-01-15",
)
EXAMPLE_TERM = TaxonomyTerm(
    id="1",
    code="se-nourrir",
    name="Se nourrir",
    description="",
    taxonomy="Les dix besoins essentiels",
    taxonomy_id="besoins-essentiels",
)
EXAMPLE_ACCESSIBILITY = Accessibility(id="7", description="Accès de plain-pied ou ascenseur")
EXAMPLE_SERVICE = Service(
    **EXAMPLE_SERVICE_SUMMARY.model_dump(),
    organization=EXAMPLE_ORGANIZATION,
    phones=[Phone(id="5", number="03 80 00 00 00", description="Accueil")],
    schedules=[
        Schedule(
            id="42-r-1",
            freq="WEEKLY",
            wkst="MO",
            byday="MO",
            opens_at="09:00",
            closes_at="12:00",
            description="Lundi 09:00–12:00",
        ),
        Schedule(
            id="42-e-1",
            valid_from="2026-08-03",
            valid_to="2026-08-21",
            description="Fermeture estivale",
            notes="fermé",
        ),
    ],
    service_areas=[
        ServiceArea(id="42-21231", name="Dijon", extent="21231", uri="https://geo.api.gouv.fr/communes/21231")
    ],
    service_at_locations=[
        ServiceAtLocation(
            id="12",
            service_id="42",
            location_id="8",
            location=Location(
                id="8",
                addresses=[
                    Address(
                        id="8",
                        address_1="11 rue de l'Hôpital",
                        city="Dijon",
                        region="21231",
                        state_province="Côte-d'Or",
                        postal_code="21000",
                    )
                ],
                accessibility=[EXAMPLE_ACCESSIBILITY],
            ),
        )
    ],
    languages=[Language(id="2", name="Français", code="fr")],
    attributes=[Attribute(id="42-1", link_id="42", taxonomy_term_id="1", taxonomy_term=EXAMPLE_TERM)],
    accessibility=[EXAMPLE_ACCESSIBILITY],
)
_ONE_PAGE = {
    "total_items": 1,
    "total_pages": 1,
    "page_number": 1,
    "size": 1,
    "first_page": True,
    "last_page": True,
    "empty": False,
}
EXAMPLE_SERVICE_PAGE = ServicePage(**_ONE_PAGE, contents=[EXAMPLE_SERVICE_SUMMARY])
EXAMPLE_ORGANIZATION_PAGE = OrganizationPage(**_ONE_PAGE, contents=[EXAMPLE_ORGANIZATION])
EXAMPLE_ORGANIZATION_FULL = Organization(
    **EXAMPLE_ORGANIZATION.model_dump(),
    phones=[Phone(id="3", number="03 80 00 00 00")],
    services=[EXAMPLE_SERVICE_SUMMARY],
)
EXAMPLE_TAXONOMY = Taxonomy(
    id="besoins-essentiels",
    name="Les dix besoins essentiels",
    description="Les dix besoins essentiels d'une personne âgée isolée (guide VISA, 2020).",
)
EXAMPLE_TAXONOMY_PAGE = TaxonomyPage(**_ONE_PAGE, contents=[EXAMPLE_TAXONOMY])
EXAMPLE_TAXONOMY_TERM_PAGE = TaxonomyTermPage(**_ONE_PAGE, contents=[EXAMPLE_TERM])
EXAMPLE_ERROR = Error(
    message="Paramètres invalides.", extra={"commune": "La commune de code INSEE « 99999 » n'existe pas."}
)
