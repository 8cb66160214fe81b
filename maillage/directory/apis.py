"""The public, read-only JSON API of the directory (Open Referral HSDS 3.0 names), under /api/v1/.

Only what the public directory shows goes out: published services of active organisations
(core.access.services_public), and the organisations that have some. One operation per function,
each declared by an `Endpoint` (its parameters, output schema and errors): the views, the OpenAPI
description and the documentation page all read the same declarations.
"""

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth.decorators import login_not_required
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404, JsonResponse
from pydantic import BaseModel

from maillage.core import access
from maillage.core.exceptions import ApplicationError
from maillage.core.models import Commune, Organisation
from maillage.directory import api_schemas as s
from maillage.directory import selectors
from maillage.directory.enums import FeeKind, Proximity, Weekday
from maillage.directory.models import Taxonomy, TaxonomyTerm
from maillage.directory.search import SearchFilters, search_services

API_VERSION = "1.0.0"
HSDS_PROFILE = "https://openreferral.org/specification/3.0/"
DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
BYDAY = {Weekday.MONDAY: "MO", 1: "TU", 2: "WE", 3: "TH", 4: "FR", 5: "SA", 6: "SU"}


# --- Declarations --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Param:
    name: str
    description: str
    schema: dict
    example: str = ""


@dataclass(frozen=True)
class Endpoint:
    name: str  # URL name in the "api" namespace
    path: str  # OpenAPI path, relative to /api/v1
    summary: str
    description: str
    response: type[BaseModel]
    example: BaseModel
    parameters: tuple[Param, ...] = ()
    path_id: str = ""  # what the {id} of the path designates
    errors: tuple[int, ...] = (400,)
    example_query: str = ""
    view: Callable | None = field(default=None, compare=False)


_PAGING = (
    Param("page", "Numéro de page, à partir de 1.", {"type": "integer", "minimum": 1, "default": 1}, "1"),
    Param(
        "per_page",
        f"Résultats par page ; au-delà de {MAX_PER_PAGE}, {MAX_PER_PAGE}.",
        {"type": "integer", "minimum": 1, "default": DEFAULT_PER_PAGE},
        "20",
    ),
)
_Q = Param("q", "Mots recherchés (nom, description, besoins, commune…).", {"type": "string", "maxLength": 200})

ENDPOINTS: dict[str, Endpoint] = {}


class ApiError(ApplicationError):
    status = 400


def api_endpoint(endpoint: Endpoint):
    """Public, GET only; answers JSON built from the endpoint's schema, and errors as {message, extra}."""

    def decorate(view):
        @login_not_required
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method not in ("GET", "HEAD"):
                response = error_response(405, "Seule la méthode GET est permise.")
                response["Allow"] = "GET, HEAD"
                return response
            try:
                result = view(request, *args, **kwargs)
            except ApiError as exc:
                return error_response(exc.status, exc.message, exc.extra)
            except Http404 as exc:
                return error_response(404, str(exc) or "Ressource introuvable.")
            assert isinstance(result, endpoint.response)
            return JsonResponse(result.model_dump(mode="json"), json_dumps_params={"ensure_ascii": False})

        ENDPOINTS[endpoint.name] = Endpoint(**{**endpoint.__dict__, "view": wrapper})
        return wrapper

    return decorate


def error_response(status: int, message: str, extra: dict | None = None) -> JsonResponse:
    body = s.Error(message=message, extra=extra or {}).model_dump()
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


@login_not_required
def not_found(request, rest=""):
    """Any other address under /api/v1/: the same error shape."""
    return error_response(404, "Cette adresse n'existe pas dans l'API. La liste des adresses : /api/v1/openapi.json.")


# --- Parameters ----------------------------------------------------------------------------------


def _int(request, name: str, default: int, errors: dict) -> int:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        errors[name] = f"« {raw[:20]} » n'est pas un nombre entier positif."
        return default
    return int(raw)


def _paging(request, errors: dict) -> tuple[int, int]:
    page = _int(request, "page", 1, errors)
    per_page = min(_int(request, "per_page", DEFAULT_PER_PAGE, errors), MAX_PER_PAGE)
    return page, per_page


def _raise_if(errors: dict) -> None:
    if errors:
        raise ApiError("Paramètres invalides.", errors)


def _page(page_cls, items: QuerySet | list, total: int, page: int, per_page: int, build) -> BaseModel:
    """HSDS paging: a page past the end is empty, never an error."""
    start = (page - 1) * per_page
    contents = [build(item) for item in items[start : start + per_page]] if start < total else []
    total_pages = math.ceil(total / per_page)
    return page_cls(
        total_items=total,
        total_pages=total_pages,
        page_number=page,
        size=len(contents),
        first_page=page == 1,
        last_page=page >= total_pages,
        empty=not contents,
        contents=contents,
    )


# --- From models to schemas ----------------------------------------------------------------------


def _or_none(value):
    return value if value not in ("", None) else None


def _organization_summary(organisation: Organisation) -> s.OrganizationSummary:
    return s.OrganizationSummary(
        id=str(organisation.pk),
        name=organisation.name,
        description=organisation.get_kind_display(),
        email=_or_none(organisation.email),
        website=_or_none(organisation.website),
    )


def _fees(service) -> str:
    label = FeeKind(service.fee_kind).label
    return f"{label} — {service.fee_description}" if service.fee_description else label


def _service_summary(service) -> s.ServiceSummary:
    return s.ServiceSummary(
        id=str(service.pk),
        organization_id=str(service.organisation_id),
        name=service.name,
        alternate_name=_or_none(service.alternate_name),
        description=service.description,
        url=_or_none(service.url),
        email=_or_none(service.email),
        application_process=_or_none(
            " ; ".join(filter(None, [", ".join(service.access_modes()), service.application_process]))
        ),
        fees_description=_fees(service),
        eligibility_description=_or_none(service.eligibility_description),
        minimum_age=service.age_min,
        maximum_age=service.age_max,
        assured_date=service.last_verified_at.date().isoformat() if service.last_verified_at else None,
    )


def _term(term: TaxonomyTerm) -> s.TaxonomyTerm:
    return s.TaxonomyTerm(
        id=str(term.pk),
        code=term.code,
        name=term.name,
        description=term.description,
        parent_id=str(term.parent_id) if term.parent_id else None,
        taxonomy=term.taxonomy.name,
        taxonomy_id=term.taxonomy.slug,
    )


def _schedules(service) -> list[s.Schedule]:
    rows = [
        s.Schedule(
            id=f"{service.pk}-r-{r.pk}",
            freq="WEEKLY",
            wkst="MO",
            byday=BYDAY[r.weekday],
            opens_at=f"{r.opens_at:%H:%M}",
            closes_at=f"{r.closes_at:%H:%M}",
            description=str(r),
        )
        for r in service.regular_schedules.all()
    ]
    for e in service.schedule_exceptions.all():
        rows.append(
            s.Schedule(
                id=f"{service.pk}-e-{e.pk}",
                valid_from=e.start_date.isoformat(),
                valid_to=e.end_date.isoformat(),
                opens_at=f"{e.opens_at:%H:%M}" if e.opens_at else None,
                closes_at=f"{e.closes_at:%H:%M}" if e.closes_at else None,
                description=e.description or str(e),
                notes="fermé" if e.is_closed else None,
            )
        )
    return rows


def _service(service) -> s.Service:
    accessibility = [
        s.Accessibility(id=str(a.pk), description=a.get_feature_display(), details=_or_none(a.details))
        for a in service.accessibility.all()
    ]
    links = []
    for sal in service.service_at_locations.all():
        place = sal.location
        address = s.Address(
            id=str(place.pk),
            address_1=place.address,
            address_2=_or_none(place.address_complement),
            city=place.commune.name,
            region=place.commune.code,
            state_province=place.commune.departement.name,
            postal_code=_or_none(place.postal_code),
        )
        location = s.Location(
            id=str(place.pk),
            name=_or_none(place.name),
            transportation=_or_none(place.transportation),
            latitude=float(place.latitude) if place.latitude is not None else None,
            longitude=float(place.longitude) if place.longitude is not None else None,
            addresses=[address],
            accessibility=accessibility,
        )
        links.append(
            s.ServiceAtLocation(
                id=str(sal.pk),
                service_id=str(service.pk),
                location_id=str(place.pk),
                description=_or_none(sal.description),
                location=location,
            )
        )
    return s.Service(
        **_service_summary(service).model_dump(),
        organization=_organization_summary(service.organisation),
        phones=[
            s.Phone(id=str(p.pk), number=p.number, description=_or_none(p.description)) for p in service.phones.all()
        ],
        schedules=_schedules(service),
        service_areas=[
            s.ServiceArea(
                id=f"{service.pk}-{c.code}",
                name=c.name,
                extent=c.code,
                uri=f"https://geo.api.gouv.fr/communes/{c.code}",
            )
            for c in service.communes_served.all()
        ],
        service_at_locations=links,
        languages=[s.Language(id=str(lang.pk), name=lang.name, code=lang.code) for lang in service.languages.all()],
        attributes=[
            s.Attribute(
                id=f"{service.pk}-{t.pk}", link_id=str(service.pk), taxonomy_term_id=str(t.pk), taxonomy_term=_term(t)
            )
            for t in service.terms.all()
        ],
        accessibility=accessibility,
    )


def _organisations_public() -> QuerySet:
    """Organisations that have at least one published service."""
    return Organisation.objects.filter(pk__in=access.services_public().values("organisation_id"))


# --- Operations ----------------------------------------------------------------------------------

SERVICES = Endpoint(
    name="service_list",
    path="/services",
    summary="Rechercher des services",
    description="Les services publiés, du plus proche au plus lointain quand une commune est donnée, "
    "puis vérifiés, ouverts, pertinents. Champs à un seul niveau (HSDS service_list).",
    response=s.ServicePage,
    example=s.EXAMPLE_SERVICE_PAGE,
    parameters=(
        _Q,
        Param("commune", "Code INSEE d'une commune : les services qui y sont ou la desservent.", {"type": "string"}),
        Param(
            "proximity",
            "Avec `commune` : jusqu'où chercher (commune, epci, departement). Par défaut : commune.",
            {"type": "string", "enum": list(Proximity.values)},
        ),
        Param("need", "Code d'un besoin essentiel (voir /taxonomy_terms).", {"type": "string"}),
        Param("organization_id", "Identifiant d'une structure.", {"type": "string"}),
        *_PAGING,
    ),
    example_query="?q=portage+de+repas&commune=21231&per_page=10",
)


@api_endpoint(SERVICES)
def service_list(request):
    errors = {}
    page, per_page = _paging(request, errors)
    q = request.GET.get("q", "")[:200]
    commune = None
    code = request.GET.get("commune", "").strip().upper()
    if code:
        commune = Commune.objects.filter(code=code).select_related("departement").first()
        if commune is None:
            errors["commune"] = f"La commune de code INSEE « {code[:10]} » n'existe pas."
    proximity = request.GET.get("proximity", "") or Proximity.COMMUNE
    if proximity not in Proximity.values:
        errors["proximity"] = f"Valeurs permises : {', '.join(Proximity.values)}."
    need = request.GET.get("need", "").strip()
    if need and not TaxonomyTerm.objects.filter(taxonomy__slug=Taxonomy.NEEDS, code=need).exists():
        errors["need"] = f"Le besoin « {need[:60]} » n'existe pas (voir /taxonomy_terms)."
    queryset = access.services_public()
    organization_id = request.GET.get("organization_id", "").strip()
    if organization_id:
        if not organization_id.isdigit():
            errors["organization_id"] = "L'identifiant d'une structure est un nombre."
        else:
            queryset = queryset.filter(organisation_id=int(organization_id))
    _raise_if(errors)
    filters = SearchFilters(q=q, need=need, commune=commune, proximity=proximity)
    paginator = search_services(queryset, filters, page=1, with_facets=False).page.paginator
    return _page(s.ServicePage, paginator.object_list, paginator.count, page, per_page, _service_summary)


SERVICE = Endpoint(
    name="service_detail",
    path="/services/{id}",
    summary="Un service, avec tout ce qui s'y rattache",
    description="Lieux, téléphones, horaires et fermetures, communes desservies, langues, accessibilité, "
    "besoins, domaines et publics (HSDS service, complet).",
    response=s.Service,
    example=s.EXAMPLE_SERVICE,
    path_id="Identifiant du service.",
    errors=(404,),
)


@api_endpoint(SERVICE)
def service_detail(request, pk):
    service = selectors.public_service_get(pk=pk)
    service = (
        type(service)
        .objects.filter(pk=service.pk)
        .select_related("organisation")
        .prefetch_related(
            "service_at_locations__location__commune__departement",
            "phones",
            "regular_schedules",
            "schedule_exceptions",
            "languages",
            "accessibility",
            "communes_served",
            Prefetch("terms", queryset=TaxonomyTerm.objects.select_related("taxonomy")),
        )
        .get()
    )
    return _service(service)


ORGANIZATIONS = Endpoint(
    name="organization_list",
    path="/organizations",
    summary="Les structures qui publient des services",
    description="Seules les structures ayant au moins un service publié.",
    response=s.OrganizationPage,
    example=s.EXAMPLE_ORGANIZATION_PAGE,
    parameters=(Param("q", "Un mot du nom de la structure.", {"type": "string", "maxLength": 200}), *_PAGING),
    example_query="?q=ccas",
)


@api_endpoint(ORGANIZATIONS)
def organization_list(request):
    errors = {}
    page, per_page = _paging(request, errors)
    _raise_if(errors)
    qs = _organisations_public().order_by("name", "pk")
    q = request.GET.get("q", "").strip()[:200]
    if q:
        qs = qs.filter(name__icontains=q)
    return _page(s.OrganizationPage, qs, qs.count(), page, per_page, _organization_summary)


ORGANIZATION = Endpoint(
    name="organization_detail",
    path="/organizations/{id}",
    summary="Une structure et ses services publiés",
    description="404 pour une structure sans service publié.",
    response=s.Organization,
    example=s.EXAMPLE_ORGANIZATION_FULL,
    path_id="Identifiant de la structure.",
    errors=(404,),
)


@api_endpoint(ORGANIZATION)
def organization_detail(request, pk):
    organisation = _organisations_public().filter(pk=pk).first()
    if organisation is None:
        raise Http404("Structure introuvable.")
    services = access.services_public().filter(organisation=organisation).order_by("name", "pk")
    phones = [s.Phone(id=str(organisation.pk), number=organisation.phone)] if organisation.phone else []
    return s.Organization(
        **_organization_summary(organisation).model_dump(),
        phones=phones,
        services=[_service_summary(service) for service in services],
    )


TAXONOMIES = Endpoint(
    name="taxonomy_list",
    path="/taxonomies",
    summary="Les vocabulaires",
    description="Dix besoins essentiels, domaines d'information CLIC, publics, et ceux de data·inclusion.",
    response=s.TaxonomyPage,
    example=s.EXAMPLE_TAXONOMY_PAGE,
    parameters=_PAGING,
)


@api_endpoint(TAXONOMIES)
def taxonomy_list(request):
    errors = {}
    page, per_page = _paging(request, errors)
    _raise_if(errors)
    qs = Taxonomy.objects.order_by("slug")

    def build(taxonomy):
        return s.Taxonomy(
            id=taxonomy.slug,
            name=taxonomy.name,
            description=taxonomy.description,
            version=_or_none(taxonomy.version),
        )

    return _page(s.TaxonomyPage, qs, qs.count(), page, per_page, build)


TAXONOMY_TERMS = Endpoint(
    name="taxonomy_term_list",
    path="/taxonomy_terms",
    summary="Les termes des vocabulaires",
    description="Par exemple les dix besoins essentiels, dont le code sert au paramètre `need` de /services.",
    response=s.TaxonomyTermPage,
    example=s.EXAMPLE_TAXONOMY_TERM_PAGE,
    parameters=(
        Param("taxonomy_id", "Identifiant d'un vocabulaire (voir /taxonomies).", {"type": "string"}),
        Param("q", "Un mot du libellé.", {"type": "string", "maxLength": 200}),
        *_PAGING,
    ),
    example_query="?taxonomy_id=besoins-essentiels",
)


@api_endpoint(TAXONOMY_TERMS)
def taxonomy_term_list(request):
    errors = {}
    page, per_page = _paging(request, errors)
    qs = TaxonomyTerm.objects.select_related("taxonomy").order_by("taxonomy__slug", "position", "name", "pk")
    slug = request.GET.get("taxonomy_id", "").strip()
    if slug:
        if not Taxonomy.objects.filter(slug=slug).exists():
            errors["taxonomy_id"] = f"Le vocabulaire « {slug[:60]} » n'existe pas (voir /taxonomies)."
        qs = qs.filter(taxonomy__slug=slug)
    _raise_if(errors)
    q = request.GET.get("q", "").strip()[:200]
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q))
    return _page(s.TaxonomyTermPage, qs, qs.count(), page, per_page, _term)
