"""The API's operations, one function per operation, each declared by an `Endpoint`."""

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from maillage.core import access
from maillage.core.ids import parse_id
from maillage.core.models import Commune, Organisation
from maillage.directory import api_schemas as s
from maillage.directory import selectors
from maillage.directory.apis.base import (
    PAGING,
    Q_PARAM,
    Endpoint,
    Param,
    api_endpoint,
    page_of,
    paging,
    raise_if,
)
from maillage.directory.apis.serializers import (
    or_none,
    organization_summary,
    service_full,
    service_summary,
    taxonomy_term,
)
from maillage.directory.enums import Proximity
from maillage.directory.models import Taxonomy, TaxonomyTerm
from maillage.directory.search import SearchFilters, search_services


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
        Q_PARAM,
        Param("commune", "Code INSEE d'une commune : les services qui y sont ou la desservent.", {"type": "string"}),
        Param(
            "proximity",
            "Avec `commune` : jusqu'où chercher (commune, epci, departement). Par défaut : commune.",
            {"type": "string", "enum": list(Proximity.values)},
        ),
        Param("need", "Code d'un besoin essentiel (voir /taxonomy_terms).", {"type": "string"}),
        Param("organization_id", "Identifiant d'une structure.", {"type": "string"}),
        *PAGING,
    ),
    example_query="?q=portage+de+repas&commune=35238&per_page=10",
)


@api_endpoint(SERVICES)
def service_list(request):
    errors = {}
    page, per_page = paging(request, errors)
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
        if parse_id(organization_id) is None:
            errors["organization_id"] = (
                "L'identifiant d'une structure est un nombre entier positif (19 chiffres au plus)."
            )
        else:
            queryset = queryset.filter(organisation_id=parse_id(organization_id))
    raise_if(errors)
    filters = SearchFilters(q=q, need=need, commune=commune, proximity=proximity)
    paginator = search_services(queryset, filters, page=1, with_facets=False).page.paginator
    return page_of(s.ServicePage, paginator.object_list, paginator.count, page, per_page, service_summary)


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
    return service_full(service)


ORGANIZATIONS = Endpoint(
    name="organization_list",
    path="/organizations",
    summary="Les structures qui publient des services",
    description="Seules les structures ayant au moins un service publié.",
    response=s.OrganizationPage,
    example=s.EXAMPLE_ORGANIZATION_PAGE,
    parameters=(Param("q", "Un mot du nom de la structure.", {"type": "string", "maxLength": 200}), *PAGING),
    example_query="?q=ccas",
)


@api_endpoint(ORGANIZATIONS)
def organization_list(request):
    errors = {}
    page, per_page = paging(request, errors)
    raise_if(errors)
    qs = _organisations_public().order_by("name", "pk")
    q = request.GET.get("q", "").strip()[:200]
    if q:
        qs = qs.filter(name__icontains=q)
    return page_of(s.OrganizationPage, qs, qs.count(), page, per_page, organization_summary)


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
        **organization_summary(organisation).model_dump(),
        phones=phones,
        services=[service_summary(service) for service in services],
    )


TAXONOMIES = Endpoint(
    name="taxonomy_list",
    path="/taxonomies",
    summary="Les vocabulaires",
    description="Dix besoins essentiels, domaines d'information CLIC, publics, et ceux de data·inclusion.",
    response=s.TaxonomyPage,
    example=s.EXAMPLE_TAXONOMY_PAGE,
    parameters=PAGING,
)


@api_endpoint(TAXONOMIES)
def taxonomy_list(request):
    errors = {}
    page, per_page = paging(request, errors)
    raise_if(errors)
    qs = Taxonomy.objects.order_by("slug")

    def build(taxonomy):
        return s.Taxonomy(
            id=taxonomy.slug,
            name=taxonomy.name,
            description=taxonomy.description,
            version=or_none(taxonomy.version),
        )

    return page_of(s.TaxonomyPage, qs, qs.count(), page, per_page, build)


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
        *PAGING,
    ),
    example_query="?taxonomy_id=besoins-essentiels",
)


@api_endpoint(TAXONOMY_TERMS)
def taxonomy_term_list(request):
    errors = {}
    page, per_page = paging(request, errors)
    qs = TaxonomyTerm.objects.select_related("taxonomy").order_by("taxonomy__slug", "position", "name", "pk")
    slug = request.GET.get("taxonomy_id", "").strip()
    if slug:
        if not Taxonomy.objects.filter(slug=slug).exists():
            errors["taxonomy_id"] = f"Le vocabulaire « {slug[:60]} » n'existe pas (voir /taxonomies)."
        qs = qs.filter(taxonomy__slug=slug)
    raise_if(errors)
    q = request.GET.get("q", "").strip()[:200]
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q))
    return page_of(s.TaxonomyTermPage, qs, qs.count(), page, per_page, taxonomy_term)
